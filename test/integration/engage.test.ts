import engageClient from 'ringcentral-engage-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ACCOUNT, AGENT_CATEGORY, API_KEY, BOT_CATEGORY, CLOSING_AGENT, CUSTOMER, engageConfig, engageEvents, engageFixture, OTHER_CATEGORY, OWNER_AGENT, SOURCE, TOKENS } from '../helpers/engage-setup.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const T0 = '2018-11-09T15:59:59.770Z';
// The package is a webpack CommonJS build: depending on the loader's interop, its class is the
// default import itself or that import's `default`.
type EngageClient = new (opts: { apiToken: string; server: string }) => {
  get(url: string, config?: object): Promise<{ data: any }>;
  post(url: string, data?: unknown, config?: object): Promise<{ data: any }>;
  put(url: string, data?: unknown, config?: object): Promise<{ data: any }>;
};
const imported: unknown = engageClient;
const RingCentralEngage = (typeof imported === 'function' ? imported : (imported as { default: unknown }).default) as EngageClient;
const at = (hhmmss: string) => `2018-11-09T${hhmmss}.000Z`;

describe.each(['sqlite', 'postgres'] as const)('RingCentral Engage Digital bots on %s', (engine) => {
  let s: TestServer | undefined;
  let bot: Receiver | undefined;
  afterEach(async () => {
    await s?.close();
    await bot?.close();
    s = undefined;
    bot = undefined;
  });

  async function setup(opts: Parameters<typeof engageConfig>[1] = {}) {
    bot = await startReceiver(() => ({ status: 200, body: '' }));
    const clock = new ManualClock(T0);
    s = await startServer(engine, engageConfig(`${bot.url}/engage`, opts), { clock, apiKey: API_KEY });
    const server = s;
    const customer = (text: string, extra: Record<string, unknown> = {}) => server.call('POST', `/v1/channels/${SOURCE}/messages`, { customer: CUSTOMER, text, visitor: { language: 'fr' }, ...extra });
    /** An Engage API call as the document writes it: the token as `access_token` unless `bearer`. */
    const api = async (method: string, path: string, opts: { token?: string | null; bearer?: boolean; query?: [string, string][]; form?: string; json?: unknown } = {}) => {
      const q = new URLSearchParams(opts.query ?? []);
      const token = opts.token === undefined ? TOKENS.bot : opts.token;
      const headers: Record<string, string> = {};
      if (token && opts.bearer) headers.authorization = `Bearer ${token}`;
      else if (token) q.append('access_token', token);
      let body: string | undefined;
      if (opts.form !== undefined) [headers['content-type'], body] = ['application/x-www-form-urlencoded', opts.form];
      if (opts.json !== undefined) [headers['content-type'], body] = ['application/json', JSON.stringify(opts.json)];
      const res = await fetch(`${server.url}/1.0${path}${q.size ? `?${q}` : ''}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      return { status: res.status, text, json: text ? JSON.parse(text) : null };
    };
    const drain = () => server.baton.dispatcher.drain();
    const online = (...agents: string[]) => Promise.all(agents.map((a) => server.call('PUT', `/v1/agents/${a}/presence`, { presence: 'online' })));
    return { s: server, bot: bot!, clock, customer, api, drain, online };
  }

  it('sends the document\'s content.imported for the first customer content of a thread, byte for byte', async () => {
    const { s, bot, customer, drain } = await setup();
    const first = await customer('I don\'t know', { messageId: '223cea8921c616e560b24d1f' });
    await drain();
    const [hook] = engageEvents(bot);
    expect(bot.received[0]!.path).toBe('/engage');
    expect(hook!.body).toBe(engageFixture('content-imported', { deliveryId: hook!.envelope.id, eventId: hook!.event.id, contentId: first.body.message.id, threadId: first.body.conversation.id }));
    // the delivery id is the envelope id; the event id is derived, so a replay carries the same one
    const deliveries = (await s.call('GET', '/v1/deliveries?targetId=engagebot')).body.items;
    expect(deliveries.map((d: any) => d.id)).toContain(hook!.envelope.id);
  });

  it('opens the bot\'s intervention with the documented answer, posts the reply on the source and reports the bot\'s own content back', async () => {
    const { s, bot, clock, customer, api, drain } = await setup();
    const first = await customer('I don\'t know', { messageId: '223cea8921c616e560b24d1f' });
    const thread = first.body.conversation.id;
    const contentId = first.body.message.id;
    clock.set(at('16:00:05'));
    const opened = await api('POST', '/interventions', { query: [['content_id', contentId]] });
    expect(opened.status).toBe(200);
    const interventionId = opened.json.id;
    expect(opened.text).toBe(engageFixture('intervention-opened', { interventionId, threadId: thread, contentId }));
    expect((await api('GET', `/interventions/${interventionId}`)).text).toBe(opened.text);

    // the document's curl: a form body with source_id, in_reply_to_id and body
    clock.set(at('16:00:15'));
    const reply = await api('POST', '/contents', { form: `source_id=${SOURCE}&in_reply_to_id=${contentId}&body=Bot Answer to the Customer message` });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ author_id: 'engagebot', body: 'Bot Answer to the Customer message', in_reply_to_id: contentId, in_reply_to_author_id: CUSTOMER, intervention_id: interventionId, source_id: SOURCE, thread_id: thread, created_from: 'api', status: 'replied' });
    expect((await api('GET', `/contents/${reply.json.id}`)).json).toEqual(reply.json);
    const messages = (await s.call('GET', `/v1/conversations/${thread}/messages`)).body.items;
    expect(messages.map((m: any) => [m.author.kind, m.content.text])).toEqual([['customer', 'I don\'t know'], ['bot', 'Bot Answer to the Customer message']]);

    await drain();
    const own = engageEvents(bot).map((e) => e.event.resource.metadata);
    expect(own).toHaveLength(2);
    expect(own[1]).toMatchObject({ author_id: 'engagebot', creator_id: 'engagebot', first_in_thread: false, intervention_id: interventionId, in_reply_to_id: contentId, in_reply_to_author_id: CUSTOMER, category_ids: [OTHER_CATEGORY, BOT_CATEGORY], created_from: 'api', status: 'replied' });

    clock.set(at('16:01:00'));
    const closed = await api('PUT', `/interventions/${interventionId}/close`);
    expect(closed.status).toBe(200);
    expect(closed.text).toBe(engageFixture('intervention-closed-by-bot', { interventionId, threadId: thread, contentId, replyId: reply.json.id }));
  });

  it('validates the webhook subscription as Engage does and sends the endpoint\'s secret with every event', async () => {
    const { s, bot, customer, drain } = await setup({ botSecrets: { verifyToken: 'vt-1', webhookSecret: 'sekrit' } });
    bot.behave((r) => {
      const q = new URL(r.path, 'http://x').searchParams;
      if (q.get('hub.mode') === 'subscribe') return { status: 200, body: q.get('hub.verify_token') === 'vt-1' ? q.get('hub.challenge')! : 'wrong', headers: { 'content-type': 'text/html' } };
      return { status: 200, body: '' };
    });
    expect((await s.call('POST', '/v1/components/engagebot/verify')).status).toBe(200);
    const validation = bot.received[0]!;
    expect(validation.path).toMatch(/^\/engage\?hub\.mode=subscribe&hub\.challenge=[0-9a-f]{32}&hub\.verify_token=vt-1$/);
    expect(validation.headers['x-dimelo-secret']).toBe('sekrit');
    bot.behave(() => ({ status: 200, body: 'nope' }));
    const failed = await s.call('POST', '/v1/components/engagebot/verify');
    expect(failed.status).toBe(409);
    expect(failed.body.error.details?.reason ?? failed.body.error.message).toContain('hub.challenge');

    // anything but a 200 is a failed delivery, retried
    bot.behave(() => ({ status: 202, body: '' }));
    await customer('hello');
    await drain();
    const pending = (await s.call('GET', '/v1/deliveries?state=pending&targetId=engagebot')).body.items;
    expect(pending).toHaveLength(1);
    expect(bot.received.at(-1)!.headers['x-dimelo-secret']).toBe('sekrit');
  });

  it('takes the token as Authorization: Bearer and JSON bodies too, and refuses unknown tokens', async () => {
    const { customer, api } = await setup();
    const first = await customer('hello');
    const byBearer = await api('POST', '/interventions', { bearer: true, json: { content_id: first.body.message.id } });
    expect(byBearer.status).toBe(200);
    expect(byBearer.json.user_id).toBe('engagebot');
    const none = await api('GET', '/users', { token: null });
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ error: 'unauthorized', message: expect.any(String), status: 401 });
    expect((await api('GET', '/users', { token: 'not-a-token' })).status).toBe(401);
    // a component's webhook token is not an API token
    expect((await api('GET', '/users', { token: 'x'.repeat(32) })).status).toBe(401);
  });

  it('hands over on BOT -> AGENT recategorisation with the documented answer; the bot keeps receiving every content', async () => {
    const { s, bot, clock, customer, api, drain, online } = await setup();
    const first = await customer('I don\'t know', { messageId: '223cea8921c616e560b24d1f' });
    const thread = first.body.conversation.id;

    // a real-time source with nobody online: the handover is refused and the thread stays BOT
    const refused = await api('PUT', `/content_threads/${thread}/update_categories`, { query: [['thread_category_ids[]', OTHER_CATEGORY], ['thread_category_ids[]', AGENT_CATEGORY]] });
    expect(refused.status).toBe(200);
    expect(refused.json.thread_category_ids).toEqual([OTHER_CATEGORY, BOT_CATEGORY]);
    expect((await s.call('GET', `/v1/conversations/${thread}`)).body.conversation.controller).toBe('bot');

    await online(OWNER_AGENT);
    clock.set(at('16:02:00'));
    // the document's URL, brackets unencoded
    const res = await fetch(`${s.url}/1.0/content_threads/${thread}/update_categories?access_token=${TOKENS.bot}&thread_category_ids[]=${OTHER_CATEGORY}&thread_category_ids[]=${AGENT_CATEGORY}`, { method: 'PUT' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(engageFixture('thread-update-categories', { threadId: thread }));
    const conv = (await s.call('GET', `/v1/conversations/${thread}`)).body.conversation;
    expect(conv).toMatchObject({ controller: 'desk', desk: 'inbox', categories: [OTHER_CATEGORY, AGENT_CATEGORY] });
    expect(conv.agentSession).toMatchObject({ status: 'queued', reason: 'recategorised' });

    // the bot may not answer any more; agents do, and the bot sees it all with the AGENT category
    const botReply = await api('POST', '/contents', { form: `in_reply_to_id=${first.body.message.id}&body=still me` });
    expect(botReply.status).toBe(409);
    expect(botReply.json).toMatchObject({ error: 'component_disabled', status: 409 });
    await customer('hello?');
    await s.call('POST', `/v1/conversations/${thread}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: OWNER_AGENT, text: 'Amelie here' });
    await drain();
    const seen = engageEvents(bot).map((e) => [e.event.type, e.event.resource.metadata.author_id, e.event.resource.metadata.category_ids, e.event.resource.metadata.created_from]);
    expect(seen).toEqual([
      ['content.imported', CUSTOMER, [OTHER_CATEGORY, BOT_CATEGORY], 'synchronizer'],
      ['content.imported', CUSTOMER, [OTHER_CATEGORY, AGENT_CATEGORY], 'synchronizer'],
      ['content.imported', OWNER_AGENT, [OTHER_CATEGORY, AGENT_CATEGORY], 'interface'],
    ]);
    expect(engageEvents(bot)[1]!.event.resource.metadata.intervention_id).toBe(conv.agentSession.id);

    // AGENT -> BOT hands back
    const back = await api('PUT', `/content_threads/${thread}/update_categories`, { json: { thread_category_ids: [OTHER_CATEGORY, BOT_CATEGORY] } });
    expect(back.json.category_ids).toEqual([OTHER_CATEGORY, BOT_CATEGORY]);
    expect((await s.call('GET', `/v1/conversations/${thread}`)).body.conversation.controller).toBe('bot');
    // other categories change without moving control
    const relabel = await api('PUT', `/content_threads/${thread}/update_categories`, { query: [['thread_category_ids[]', BOT_CATEGORY], ['thread_category_ids[]', 'vip']] });
    expect(relabel.json.thread_category_ids).toEqual([BOT_CATEGORY, 'vip']);
    const events = (await s.call('GET', `/v1/conversations/${thread}/events?limit=100`)).body.items.map((e: any) => e.type);
    expect(events.filter((t: string) => t === 'categories.updated')).toHaveLength(3);
  });

  it('renders each content with the categories it was imported with, not the thread\'s of now', async () => {
    const { s, customer, api, online } = await setup();
    const first = await customer('I don\'t know', { messageId: '223cea8921c616e560b24d1f' });
    const thread = first.body.conversation.id;
    await online(OWNER_AGENT);
    const moved = await api('PUT', `/content_threads/${thread}/update_categories`, { query: [['thread_category_ids[]', OTHER_CATEGORY], ['thread_category_ids[]', AGENT_CATEGORY]] });
    expect(moved.json.thread_category_ids).toEqual([OTHER_CATEGORY, AGENT_CATEGORY]);
    const second = await customer('hello?');
    const agent = await s.call('POST', `/v1/conversations/${thread}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: OWNER_AGENT, text: 'Amelie here' });
    const content = async (id: string) => (await api('GET', `/contents/${id}`)).json.category_ids;
    // seed 003: the first content was categorised BOT on import and stays so after the handover
    expect(await content(first.body.message.id)).toEqual([OTHER_CATEGORY, BOT_CATEGORY]);
    expect(await content(second.body.message.id)).toEqual([OTHER_CATEGORY, AGENT_CATEGORY]);
    expect(await content(agent.body.message.id)).toEqual([OTHER_CATEGORY, AGENT_CATEGORY]);
    await api('PUT', `/content_threads/${thread}/update_categories`, { query: [['thread_category_ids[]', BOT_CATEGORY], ['thread_category_ids[]', 'vip']] });
    expect(await content(second.body.message.id)).toEqual([OTHER_CATEGORY, AGENT_CATEGORY]);
  });

  it('sends intervention.closed only when an agent completes the intervention (not on defer), and intervention.reopened on the customer\'s return', async () => {
    const { s, bot, clock, customer, drain, online } = await setup();
    const first = await customer('I don\'t know', { messageId: '223cea8921c616e560b24d1f' });
    const thread = first.body.conversation.id;
    await online(OWNER_AGENT);
    clock.set(at('16:02:00'));
    const handover = await s.call('POST', `/v1/conversations/${thread}/handover`, { by: 'engagebot', context: { sample_field: null } });
    expect(handover.status).toBe(200);
    const interventionId = handover.body.conversation.agentSession.id;
    await s.call('POST', `/v1/conversations/${thread}/assign`, { agentId: OWNER_AGENT });
    await s.call('POST', `/v1/conversations/${thread}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: OWNER_AGENT, text: 'On it' });

    clock.set(at('16:10:00'));
    await s.call('POST', `/v1/conversations/${thread}/close`, { scope: 'agent_session', agentId: CLOSING_AGENT });
    await drain();
    const closed = engageEvents(bot).at(-1)!;
    expect(closed.body).toBe(engageFixture('intervention-closed', { deliveryId: closed.envelope.id, eventId: closed.event.id, interventionId, threadId: thread }));

    clock.set(at('16:15:00'));
    await customer('one more thing');
    await drain();
    const reopened = engageEvents(bot).find((e) => e.event.type === 'intervention.reopened')!;
    expect(reopened.body).toBe(engageFixture('intervention-reopened', { deliveryId: reopened.envelope.id, eventId: reopened.event.id, interventionId, threadId: thread }));
    expect(engageEvents(bot).at(-1)!.event.resource.metadata).toMatchObject({ body: 'one more thing', intervention_id: interventionId, category_ids: [OTHER_CATEGORY, AGENT_CATEGORY] });

    // deferring is not completing: nothing is sent until the agent closes it again
    clock.set(at('16:20:00'));
    await s.call('POST', `/v1/conversations/${thread}/defer`, { agentId: OWNER_AGENT });
    await drain();
    expect(engageEvents(bot).map((e) => e.event.type)).toEqual(['content.imported', 'content.imported', 'intervention.closed', 'intervention.reopened', 'content.imported']);
    clock.set(at('16:30:00'));
    await s.call('POST', `/v1/conversations/${thread}/close`, { scope: 'agent_session', agentId: OWNER_AGENT });
    await drain();
    expect(engageEvents(bot).at(-1)!.event).toMatchObject({ type: 'intervention.closed', user_id: OWNER_AGENT, resource: { id: interventionId, deferred_at: at('16:20:00'), closed_at: at('16:30:00') } });
  });

  it('refuses to close an intervention with 403 exactly in the four documented cases', async () => {
    const { s, customer, api, online } = await setup();
    const first = await customer('hi');
    const contentId = first.body.message.id;
    const id = (await api('POST', '/interventions', { query: [['content_id', contentId]] })).json.id;
    const close = (token: string) => api('PUT', `/interventions/${id}/close`, { token });

    // no agent replies yet
    const noReplies = await close(TOKENS.bot);
    expect(noReplies.status).toBe(403);
    expect(noReplies.json).toMatchObject({ error: 'forbidden', status: 403, message: expect.stringContaining('no agent replies') });
    await api('POST', '/contents', { form: `in_reply_to_id=${contentId}&body=Hello` });
    // not the owner and no permission to edit permissions
    const notOwner = await close(TOKENS.other);
    expect(notOwner.status).toBe(403);
    expect(notOwner.json.message).toContain('belongs to engagebot');
    // the permission, but no read access on the source
    const noRead = await close(TOKENS.narrow);
    expect(noRead.status).toBe(403);
    expect(noRead.json.message).toContain('no read access on source');
    // the owner closes it; then it is already closed, for everyone
    expect((await close(TOKENS.bot)).status).toBe(200);
    for (const token of [TOKENS.bot, TOKENS.admin]) {
      const again = await close(token);
      expect(again.status).toBe(403);
      expect(again.json.message).toContain('already closed');
    }
    expect((await api('PUT', '/interventions/no-such-id/close')).status).toBe(404);

    // the humans' intervention: the bot does not own it; the user who may edit permissions does
    await online(OWNER_AGENT);
    await customer('human please');
    const thread = first.body.conversation.id;
    const handed = (await s.call('POST', `/v1/conversations/${thread}/handover`, { by: 'engagebot' })).body.conversation.agentSession.id;
    expect((await api('PUT', `/interventions/${handed}/close`)).json.message).toContain('no agent replies');
    await s.call('POST', `/v1/conversations/${thread}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: OWNER_AGENT, text: 'Hi' });
    const byBot = await api('PUT', `/interventions/${handed}/close`);
    expect(byBot.status).toBe(403);
    expect(byBot.json.message).toContain(`belongs to ${OWNER_AGENT}`);
    const byAdmin = await api('PUT', `/interventions/${handed}/close`, { token: TOKENS.admin });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.json).toMatchObject({ id: handed, closed: true, user_id: OWNER_AGENT, status: 'closed' });
    // the earlier bot intervention is still known, and closed
    expect((await api('GET', `/interventions/${id}`)).json).toMatchObject({ id, closed: true });
  });

  it('answers availability from the inbox presence, users by category and team, and the categories in use', async () => {
    const { s, api } = await setup();
    expect((await api('GET', '/status')).json).toEqual([]);
    await s.call('PUT', `/v1/agents/${OWNER_AGENT}/presence`, { presence: 'online' });
    await s.call('PUT', '/v1/agents/carla/presence', { presence: 'away' });
    expect((await api('GET', '/status')).json).toEqual([
      { agent_id: OWNER_AGENT, status: { [SOURCE]: 'available', mail: 'available' } },
      { agent_id: 'carla', status: { [SOURCE]: 'away', mail: 'away' } },
    ].sort((a, b) => a.agent_id.localeCompare(b.agent_id)));

    const byCategory = (await api('GET', '/users', { query: [['category_id', AGENT_CATEGORY]] })).json;
    expect(byCategory).toMatchObject({ count: 2, offset: 0, limit: 30 });
    expect(byCategory.records.map((u: any) => u.id).sort()).toEqual([CLOSING_AGENT, OWNER_AGENT].sort());
    expect(byCategory.records.find((u: any) => u.id === OWNER_AGENT)).toEqual({ id: OWNER_AGENT, firstname: 'Amelie', lastname: 'Martin', nickname: 'Amelie Martin', email: null, enabled: true, category_ids: [AGENT_CATEGORY], team_ids: ['chat'], identity_ids: [OWNER_AGENT], source_ids: [SOURCE, 'mail'] });
    expect((await api('GET', '/users', { query: [['team_id', 'vip']] })).json.records.map((u: any) => u.id).sort()).toEqual([CLOSING_AGENT, 'carla'].sort());
    const all = (await api('GET', '/users')).json;
    expect(all.count).toBe(7);
    expect((await api('GET', '/users/me')).json).toMatchObject({ id: 'engagebot', category_ids: [] });
    expect((await api('GET', '/users/carla')).json.nickname).toBe('Carla');

    const categories = (await api('GET', '/categories')).json;
    expect(categories.records.map((c: any) => [c.id, c.name])).toEqual([[BOT_CATEGORY, 'BOT'], [AGENT_CATEGORY, 'AGENT'], [OTHER_CATEGORY, OTHER_CATEGORY]]);
  });

  it('closes a thread so that the customer\'s next message starts a new one instead of reopening the intervention', async () => {
    const { s, bot, customer, api, drain, online } = await setup();
    const first = await customer('hi');
    const thread = first.body.conversation.id;
    await online(OWNER_AGENT);
    await api('PUT', `/content_threads/${thread}/update_categories`, { query: [['thread_category_ids[]', OTHER_CATEGORY], ['thread_category_ids[]', AGENT_CATEGORY]] });
    await s.call('POST', `/v1/conversations/${thread}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: OWNER_AGENT, text: 'done?' });
    await s.call('POST', `/v1/conversations/${thread}/close`, { scope: 'agent_session', agentId: OWNER_AGENT });
    const closedThread = await api('PUT', `/content_threads/${thread}/close`);
    expect(closedThread.json).toMatchObject({ id: thread, closed: true });
    const again = await customer('a new question');
    expect(again.body.events.map((e: any) => e.type)).not.toContain('agent_session.reopened');
    expect(again.body.conversation).toMatchObject({ status: 'open', controller: 'bot', categories: [OTHER_CATEGORY, BOT_CATEGORY] });
    await drain();
    const types = engageEvents(bot).map((e) => e.event.type);
    expect(types).toContain('intervention.closed');
    expect(types).not.toContain('intervention.reopened');
    expect(engageEvents(bot).at(-1)!.event.resource.metadata).toMatchObject({ body: 'a new question', category_ids: [OTHER_CATEGORY, BOT_CATEGORY], intervention_id: null });
  });

  it('works with the ringcentral-engage-client package unchanged: only the server URL and the token differ', async () => {
    const { s, customer, online } = await setup();
    const first = await customer('I need a person');
    const thread = first.body.conversation.id;
    const rc = new RingCentralEngage({ apiToken: TOKENS.bot, server: s.url });
    const me = await rc.get('/1.0/users/me');
    expect(me.data.id).toBe('engagebot');
    const intervention = await rc.post('/1.0/interventions', { content_id: first.body.message.id });
    expect(intervention.data).toMatchObject({ content_id: first.body.message.id, closed: false });
    const reply = await rc.post('/1.0/contents', `in_reply_to_id=${first.body.message.id}&body=${encodeURIComponent('Let me check who is around')}`);
    expect(reply.data).toMatchObject({ body: 'Let me check who is around', intervention_id: intervention.data.id });
    await online(OWNER_AGENT);
    expect((await rc.get('/1.0/status')).data.map((a: any) => a.agent_id)).toEqual([OWNER_AGENT]);
    expect((await rc.get('/1.0/users', { params: { category_id: AGENT_CATEGORY } })).data.count).toBe(2);
    const closed = await rc.put(`/1.0/interventions/${intervention.data.id}/close`);
    expect(closed.data.closed).toBe(true);
    const recategorised = await rc.put(`/1.0/content_threads/${thread}/update_categories`, undefined, { params: { thread_category_ids: [OTHER_CATEGORY, AGENT_CATEGORY] } });
    expect(recategorised.data.thread_category_ids).toEqual([OTHER_CATEGORY, AGENT_CATEGORY]);
    expect((await rc.get(`/1.0/content_threads/${thread}`)).data.closed).toBe(false);
    const refused = await rc.put(`/1.0/interventions/${intervention.data.id}/close`).catch((err: any) => err.response);
    expect(refused.status).toBe(403);
    expect((await s.call('GET', `/v1/conversations/${thread}`)).body.conversation.controller).toBe('desk');
  });

  it('answers bad calls in Engage\'s error shape', async () => {
    const { customer, api } = await setup();
    const first = await customer('hi');
    const noBody = await api('POST', '/contents', { form: `in_reply_to_id=${first.body.message.id}` });
    expect(noBody.status).toBe(400);
    expect(noBody.json).toEqual({ error: 'validation_failed', message: 'body: This parameter is mandatory.', status: 400 });
    expect((await api('POST', '/contents', { form: 'body=hello' })).json.message).toContain('source_id: This parameter is mandatory when in_reply_to_id is omitted');
    expect((await api('POST', '/contents', { form: `body=hello&source_id=${SOURCE}` })).json.message).toContain('does not support initiating discussions');
    expect((await api('POST', '/contents', { form: `body=hello&in_reply_to_id=${first.body.message.id}&author_id=someone-else` })).status).toBe(403);
    expect((await api('GET', '/contents/nope')).status).toBe(404);
    expect((await api('GET', `/contents/${first.body.message.id}`, { token: TOKENS.narrow })).status).toBe(403);
    expect((await api('PUT', `/content_threads/${first.body.conversation.id}/update_categories`)).json.message).toContain('thread_category_ids[]');
    expect((await api('GET', '/nowhere')).json).toMatchObject({ error: 'not_found', status: 404 });
    expect(ACCOUNT).toBe(first.body.conversation.accountId);
  });
});
