import { afterEach, describe, expect, it } from 'vitest';
import { configWarnings, validateConfig } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/core/clock.js';
import { chatwootFixture, chatwootConfig, CW, verifiesAsChatwoot } from '../helpers/chatwoot-setup.js';
import { type Received, startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const T0 = '2021-07-23T18:02:48.000Z';
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

describe.each(['sqlite', 'postgres'] as const)('Chatwoot agent bots on %s', (engine) => {
  let s: TestServer | undefined;
  let bot: Receiver | undefined;
  afterEach(async () => {
    await s?.close();
    await bot?.close();
    s = undefined;
    bot = undefined;
  });

  async function setup(opts: Parameters<typeof chatwootConfig>[1] = {}) {
    bot = await startReceiver(() => ({ status: 200, body: '{}' }));
    const clock = new ManualClock(T0);
    s = await startServer(engine, chatwootConfig(`${bot.url}/chatwoot`, opts), { clock, apiKey: CW.apiKey });
    const server = s;
    const customer = (text: string, messageId?: string) => server.call('POST', `/v1/channels/${CW.channel}/messages`, { customer: CW.customer, text, ...(messageId ? { messageId } : {}) });
    /** A call as a Chatwoot client makes it: the token in `api_access_token`, a JSON body unless told otherwise. */
    const api = async (path: string, body?: unknown, opts: { token?: string; method?: string; form?: FormData; raw?: { type: string; body: string } } = {}) => {
      const headers: Record<string, string> = { api_access_token: opts.token ?? CW.token };
      let payload: BodyInit | undefined;
      if (opts.form) payload = opts.form;
      else if (opts.raw) [headers['content-type'], payload] = [opts.raw.type, opts.raw.body];
      else if (body !== undefined) [headers['content-type'], payload] = ['application/json', JSON.stringify(body)];
      const res = await fetch(`${server.url}/api/v1${path}`, { method: opts.method ?? (payload === undefined ? 'GET' : 'POST'), headers, ...(payload !== undefined ? { body: payload } : {}) });
      const text = await res.text();
      return { status: res.status, text, json: text ? JSON.parse(text) : null };
    };
    const drain = () => server.baton.dispatcher.drain();
    const hooks = () => bot!.received.filter((r) => r.path === '/chatwoot');
    return { s: server, bot: bot!, clock, customer, api, drain, hooks };
  }

  /** The bot's callback path for the conversation of its first webhook: account and conversation ids as the webhook gave them. */
  const pathOf = (hook: Received) => `/accounts/${hook.json.account?.id ?? hook.json.messages?.[0]?.account_id}/conversations/${hook.json.conversation?.id ?? hook.json.id}`;

  it('sends the documented message_created for a customer message, signed as Chatwoot signs it', async () => {
    const { s, customer, drain, hooks } = await setup();
    const sent = await customer('hi', 'wamid-1');
    await drain();
    const [hook] = hooks();
    const j = hook!.json;
    expect(hook!.body).toBe(chatwootFixture('message-created', {
      messageId: j.id, createdAt: sent.body.message.createdAt, epoch: epoch(sent.body.message.createdAt), sourceId: 'wamid-1', contactId: j.sender.id, customer: CW.customer,
      inboxId: j.inbox.id, contactInboxId: j.conversation.contact_inbox.id, conversationId: j.conversation.id, accountId: j.account.id,
    }));
    // Integers, as Chatwoot's are, and the same for every message of the conversation.
    for (const id of [j.id, j.sender.id, j.inbox.id, j.conversation.id, j.account.id]) expect(Number.isSafeInteger(id) && id > 0).toBe(true);
    expect(verifiesAsChatwoot(hook!, CW.secret)).toBe(true);
    expect(verifiesAsChatwoot({ ...hook!, body: hook!.body.replace('"hi"', '"hI"') }, CW.secret)).toBe(false);
    expect(verifiesAsChatwoot(hook!, 'another-secret')).toBe(false);
    expect(hook!.headers['x-chatwoot-timestamp']).toBe(String(epoch(T0)));
    const deliveries = (await s.call('GET', '/v1/deliveries?targetId=cwbot')).body.items;
    expect(deliveries.filter((d: { eventType: string }) => d.eventType === 'message.received').map((d: { id: string }) => d.id)).toEqual([hook!.headers['x-chatwoot-delivery']]);
    await customer('again');
    await drain();
    expect(hooks()[1]!.json.conversation.id).toBe(j.conversation.id);
    expect(hooks()[1]!.json.id).not.toBe(j.id);
  });

  it('sends unsigned webhooks, with their delivery id and timestamp, to a bot without a secret', async () => {
    const { customer, drain, hooks } = await setup({ secret: null });
    await customer('hi');
    await drain();
    const h = hooks()[0]!.headers;
    expect(h['x-chatwoot-signature']).toBeUndefined();
    expect(h['x-chatwoot-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(h['x-chatwoot-timestamp']).toBe(String(epoch(T0)));
    // `config check` and `start` say so.
    expect(configWarnings(validateConfig(chatwootConfig('https://bot.example.com/chatwoot', { secret: null })))).toEqual([expect.stringContaining('component cwbot: its webhooks go out unsigned')]);
    expect(configWarnings(validateConfig(chatwootConfig('https://bot.example.com/chatwoot')))).toEqual([]);
  });

  it('retries a webhook the bot refused with the same X-Chatwoot-Delivery and a new timestamp, in order', async () => {
    const { bot, clock, customer, drain, hooks } = await setup();
    let failures = 1;
    bot.behave((r) => (r.json?.content === 'first' && failures-- > 0 ? { status: 500, body: 'boom' } : { status: 200, body: '{}' }));
    await customer('first');
    await customer('second');
    await drain();
    expect(hooks().map((h) => h.json.content)).toEqual(['first']);
    clock.advance(10_000);
    await drain();
    expect(hooks().map((h) => h.json.content)).toEqual(['first', 'first', 'second']);
    const [a, b] = hooks();
    expect(b!.headers['x-chatwoot-delivery']).toBe(a!.headers['x-chatwoot-delivery']);
    expect(Number(b!.headers['x-chatwoot-timestamp'])).toBe(Number(a!.headers['x-chatwoot-timestamp']) + 10);
    expect(verifiesAsChatwoot(b!, CW.secret)).toBe(true);
  });

  it('takes the bot\'s answer as JSON and as a multipart form, and reports it back as outgoing', async () => {
    const { s, clock, customer, api, drain, hooks } = await setup();
    const first = await customer('hi');
    await drain();
    const path = pathOf(hooks()[0]!);
    clock.advance(1000);
    // The example body of Chatwoot's API reference (create_message_payload.yml), campaign_id included.
    const json = await api(`${path}/messages`, { content: 'Hello! How can I help?', message_type: 'outgoing', private: false, content_type: 'text', content_attributes: {}, campaign_id: 1 });
    expect(json.status, json.text).toBe(200);
    expect(json.json).toMatchObject({ content: 'Hello! How can I help?', message_type: 1, content_type: 'text', private: false, conversation_id: hooks()[0]!.json.conversation.id, sender: { type: 'agent_bot', name: 'cwbot' } });
    const form = new FormData();
    form.append('content', 'Pick one ✓');
    form.append('message_type', 'outgoing');
    clock.advance(1000);
    const multi = await api(`${path}/messages`, undefined, { form });
    expect(multi.status, multi.text).toBe(200);
    expect(multi.json.content).toBe('Pick one ✓');
    clock.advance(1000);
    const select = await api(`${path}/messages`, { content: 'Which?', content_type: 'input_select', content_attributes: { items: [{ title: 'Sales', value: 'sales' }, { title: 'Support', value: 'support' }] } });
    expect(select.json).toMatchObject({ content_type: 'input_select', content_attributes: { items: [{ title: 'Sales', value: 'sales' }, { title: 'Support', value: 'support' }] } });
    await drain();
    // What a Chatwoot bot sees of its own answers: message_created, outgoing, which it ignores.
    const own = hooks().slice(1).map((h) => h.json);
    expect(own.map((j) => [j.event, j.message_type, j.content, j.sender.type])).toEqual([
      ['message_created', 'outgoing', 'Hello! How can I help?', 'agent_bot'],
      ['message_created', 'outgoing', 'Pick one ✓', 'agent_bot'],
      ['message_created', 'outgoing', 'Which?', 'agent_bot'],
    ]);
    const messages = (await s.call('GET', `/v1/conversations/${first.body.conversation.id}/messages`)).body.items;
    expect(messages.map((m: { content: { text: string } }) => m.content.text)).toEqual(['hi', 'Hello! How can I help?', 'Pick one ✓', 'Which?']);
    expect(messages[3].content.buttons).toEqual([{ title: 'Sales', payload: 'sales' }, { title: 'Support', payload: 'support' }]);
  });

  it('hands over with toggle_status open, sees the agents\' answers, and gets the conversation back when they set it pending', async () => {
    const { s, customer, api, drain, hooks } = await setup();
    const first = await customer('I want a human');
    const chat = first.body.conversation.id;
    await drain();
    const hook = hooks()[0]!;
    const path = pathOf(hook);
    const opened = await api(`${path}/toggle_status`, { status: 'open' });
    expect(opened.json).toEqual({ meta: {}, payload: { success: true, current_status: 'open', conversation_id: hook.json.conversation.id } });
    expect((await s.call('GET', `/v1/conversations/${chat}`)).body.conversation.controller).toBe('desk');
    await drain();
    const [named, changed] = hooks().slice(1);
    const values = (h: Received, event: string, status: string) => ({
      contactInboxId: h.json.contact_inbox.id, contactId: h.json.meta.sender.id, inboxId: h.json.inbox_id, customer: CW.customer, conversationId: h.json.id,
      createdAt: first.body.conversation.createdAt, updatedAt: h.json.contact_inbox.updated_at, epoch: h.json.timestamp, status, event,
    });
    expect(named!.body).toBe(chatwootFixture('conversation-status-changed', values(named!, 'conversation_opened', 'open')));
    expect(changed!.body).toBe(chatwootFixture('conversation-status-changed', values(changed!, 'conversation_status_changed', 'open')));
    // Two webhooks of one change: each its own delivery id, both signed.
    expect(named!.headers['x-chatwoot-delivery']).not.toBe(changed!.headers['x-chatwoot-delivery']);
    expect(verifiesAsChatwoot(named!, CW.secret) && verifiesAsChatwoot(changed!, CW.secret)).toBe(true);

    // While the humans hold it the bot may not answer; it still sees what they say.
    const refused = await api(`${path}/messages`, { content: 'me again' });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('component_disabled');
    expect(typeof refused.json.error).toBe('string');
    const agent = await s.call('POST', `/v1/conversations/${chat}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: 'john', text: 'John here' });
    expect(agent.status, JSON.stringify(agent.body)).toBe(201);
    await customer('thanks John');
    await drain();
    const seen = hooks().slice(3).filter((h) => h.json.event === 'message_created').map((h) => [h.json.message_type, h.json.sender.type, h.json.content, h.json.conversation.status]);
    expect(seen).toEqual([['outgoing', 'user', 'John here', 'open'], ['incoming', 'contact', 'thanks John', 'open']]);

    // The agents hand it back: pending, the bot's again.
    const back = await s.call('POST', `/v1/conversations/${chat}/handback`, { by: 'inbox' });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    await drain();
    const last = hooks().at(-1)!.json;
    expect([last.event, last.status]).toEqual(['conversation_status_changed', 'pending']);
    expect((await api(`${path}/messages`, { content: 'I am back' })).status).toBe(200);
    expect((await api(path)).json.status).toBe('pending');
  });

  it('tells the bot who was assigned, and that an agent snoozed the conversation', async () => {
    const { s, customer, api, drain, hooks } = await setup();
    const first = await customer('help');
    const chat = first.body.conversation.id;
    await drain();
    const path = pathOf(hooks()[0]!);
    await api(`${path}/toggle_status`, { status: 'open' });
    expect((await s.call('POST', `/v1/conversations/${chat}/assign`, { agentId: 'john' })).status).toBe(200);
    await drain();
    const updated = hooks().find((h) => h.json.event === 'conversation_updated')!.json;
    expect(updated.meta.assignee).toMatchObject({ name: 'john', type: 'user' });
    expect(updated.changed_attributes).toEqual([{ assignee_id: { previous_value: null, current_value: updated.meta.assignee.id } }]);
    expect((await s.call('POST', `/v1/conversations/${chat}/defer`, { agentId: 'john' })).status).toBe(200);
    await drain();
    expect([hooks().at(-1)!.json.event, hooks().at(-1)!.json.status]).toEqual(['conversation_status_changed', 'snoozed']);
    // The bot wakes it: the agent who snoozed it has it again.
    expect((await api(`${path}/toggle_status`, { status: 'open' })).json.payload.current_status).toBe('open');
  });

  it('resolves with toggle_status and toggles open/resolved without a status', async () => {
    const { s, customer, api, drain, hooks } = await setup();
    const first = await customer('bye');
    await drain();
    const path = pathOf(hooks()[0]!);
    expect((await api(`${path}/toggle_status`, {})).json.payload.current_status).toBe('open');
    expect((await api(`${path}/toggle_status`, {})).json.payload.current_status).toBe('resolved');
    expect((await s.call('GET', `/v1/conversations/${first.body.conversation.id}`)).body.conversation.status).toBe('closed');
    await drain();
    expect(hooks().slice(1).map((h) => [h.json.event, h.json.status])).toEqual([
      ['conversation_opened', 'open'], ['conversation_status_changed', 'open'], ['conversation_resolved', 'resolved'], ['conversation_status_changed', 'resolved'],
    ]);
    // Resolving again is done already; a resolved conversation opens again when the contact writes.
    expect((await api(`${path}/toggle_status`, { status: 'resolved' })).json.payload.current_status).toBe('resolved');
    const reopen = await api(`${path}/toggle_status`, { status: 'open' });
    expect([reopen.status, reopen.json.code]).toEqual([409, 'invalid_transition']);
  });

  it('keeps a private note from the bot for the agents: never the contact, never a bot', async () => {
    const { s, customer, api, drain, hooks } = await setup();
    const first = await customer('hello');
    await drain();
    const path = pathOf(hooks()[0]!);
    const note = await api(`${path}/messages`, { content: 'VIP customer', private: true });
    expect(note.status, note.text).toBe(200);
    expect(note.json).toMatchObject({ content: 'VIP customer', private: true, message_type: 1 });
    const events = await s.baton.store.kysely.selectFrom('events').select(['type']).where('conversation_id', '=', first.body.conversation.id).execute();
    expect(events.map((e) => e.type)).toContain('note.added');
    expect(events.map((e) => e.type)).not.toContain('message.sent');
    const deliveries = await s.baton.store.kysely.selectFrom('deliveries').select(['target_id']).where('event_type', '=', 'note.added').execute();
    expect(deliveries).toEqual([]);
    await customer('still there?');
    await drain();
    expect(hooks().map((h) => h.json.content)).toEqual(['hello', 'still there?']);
  });

  it('reports a receipt for the bot\'s message as message_updated', async () => {
    const { s, clock, customer, api, drain, hooks } = await setup();
    await customer('hi');
    await drain();
    const path = pathOf(hooks()[0]!);
    clock.advance(1000);
    await api(`${path}/messages`, { content: 'answer' });
    await drain();
    const mine = (await s.call('GET', `/v1/conversations/${(await s.call('GET', '/v1/conversations')).body.items[0].id}/messages`)).body.items[1];
    expect((await s.call('POST', `/v1/messages/${mine.id}/status`, { status: 'read' })).status).toBe(200);
    await drain();
    const updated = hooks().at(-1)!.json;
    expect([updated.event, updated.status, updated.content, updated.id]).toEqual(['message_updated', 'read', 'answer', hooks()[1]!.json.id]);
  });

  it('sends webwidget_triggered when a visitor who has chatted opens the widget again; a first-time visitor\'s open sends nothing', async () => {
    const { s, clock, drain, hooks } = await setup({ extraChannels: [{ id: 'widget', kind: 'webchat' }] });
    const token = 'visitor-token-for-the-widget-test-0001';
    const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36';
    const visitor = (path: string, body: unknown) => fetch(`${s.url}/chat/api/${CW.account}/widget/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-visitor-token': token, 'user-agent': UA, 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.8' }, body: JSON.stringify(body) });
    const opened = (referer: string) => visitor('opened', { referer, language: 'en' });

    // Before the first message there is no conversation to record the open in.
    expect((await opened('https://shop.example/')).status).toBe(204);
    expect((await s.call('GET', '/v1/conversations')).body.items).toEqual([]);
    expect((await visitor('messages', { id: 'widget-msg-0001', text: 'hello' })).status).toBe(201);
    await drain();
    const conversationId = (await s.call('GET', '/v1/conversations')).body.items[0].id as string;
    const types = async () => ((await s.call('GET', `/v1/conversations/${conversationId}/events`)).body.items as { type: string }[]).map((e) => e.type);
    expect(await types()).not.toContain('widget.opened');

    clock.advance(60_000);
    const res = await opened('https://shop.example/pricing');
    expect([res.status, await res.text()]).toEqual([204, '']);
    // Opened again within the window: told once.
    expect((await opened('https://shop.example/pricing')).status).toBe(204);
    await drain();
    const triggered = hooks().filter((h) => h.json.event === 'webwidget_triggered');
    expect(triggered).toHaveLength(1);
    const hook = triggered[0]!;
    const j = hook.json;
    const conv = (await s.call('GET', `/v1/conversations/${conversationId}`)).body.conversation;
    expect(hook.body).toBe(chatwootFixture('webwidget-triggered', {
      contactInboxId: j.id, accountId: j.account.id, contactId: j.contact.id, customer: conv.customer, inboxId: j.inbox.id, conversationId: j.current_conversation.id,
      createdAt: conv.createdAt, updatedAt: conv.updatedAt, epoch: epoch(conv.updatedAt), initiatedAt: 'Fri Jul 23 2021 18:03:48 GMT+0000 (Coordinated Universal Time)',
    }));
    // The same ids as the conversation's other webhooks.
    const created = hooks().find((h) => h.json.event === 'message_created')!.json;
    expect([j.id, j.contact.id, j.inbox.id, j.current_conversation.id]).toEqual([created.conversation.contact_inbox.id, created.sender.id, created.inbox.id, created.conversation.id]);
    expect(verifiesAsChatwoot(hook, CW.secret)).toBe(true);
    expect(verifiesAsChatwoot({ ...hook, body: hook.body.replace('pricing', 'pr1cing') }, CW.secret)).toBe(false);
    expect(await types()).toEqual(expect.arrayContaining(['widget.opened']));
    expect((await types()).filter((t) => t === 'widget.opened')).toHaveLength(1);
    // It moves nothing.
    expect(conv).toMatchObject({ controller: 'bot', controlVersion: 1 });

    // A later window: told again.
    clock.advance(31_000);
    expect((await opened('https://shop.example/cart')).status).toBe(204);
    await drain();
    expect(hooks().filter((h) => h.json.event === 'webwidget_triggered').map((h) => h.json.event_info.referer)).toEqual(['https://shop.example/pricing', 'https://shop.example/cart']);
    // What the page may not send is refused, and records nothing.
    const bad = await visitor('opened', { referer: 'x', language: 'not a language' });
    expect(bad.status).toBe(400);
    expect((await types()).filter((t) => t === 'widget.opened')).toHaveLength(2);
  });

  it('refuses what a Chatwoot client gets wrong, in Chatwoot\'s shape, and changes nothing', async () => {
    const { s, customer, api, drain, hooks } = await setup();
    const first = await customer('hi');
    await drain();
    const hook = hooks()[0]!;
    const path = pathOf(hook);
    const before = (await s.call('GET', `/v1/conversations/${first.body.conversation.id}/events`)).body.items.length;
    const file = new FormData();
    file.append('content', 'see attached');
    file.append('attachments[]', new Blob(['%PDF-1.4'], { type: 'application/pdf' }), 'invoice.pdf');
    const cases: [Promise<{ status: number; json: any }>, number, string][] = [
      [api(`${path}/messages`, { content: 'x' }, { token: 'not-a-token' }), 401, 'unauthorized'],
      [api(`${path}/messages`, { content: 'x' }, { token: CW.apiKey }), 401, 'unauthorized'],
      [api(`/accounts/1/conversations/${hook.json.conversation.id}/messages`, { content: 'x' }), 401, 'unauthorized'],
      [api(`/accounts/${hook.json.account.id}/conversations/12345/messages`, { content: 'x' }), 404, 'conversation_not_found'],
      [api(`/accounts/${hook.json.account.id}/conversations/abc/messages`, { content: 'x' }), 404, 'conversation_not_found'],
      [api(`${path}/messages`, { content: 'x' }, { token: CW.otherToken }), 404, 'conversation_not_found'],
      [api(`${path}/messages`, { content: 'x', message_type: 'incoming' }), 400, 'validation_failed'],
      [api(`${path}/messages`, { content: '' }), 400, 'validation_failed'],
      [api(`${path}/messages`, { content: 'x', content_type: 'hologram' }), 400, 'validation_failed'],
      [api(`${path}/messages`, { content: ['x', 'y'] }), 400, 'validation_failed'],
      [api(`${path}/messages`, undefined, { form: file }), 400, 'validation_failed'],
      [api(`${path}/messages`, undefined, { raw: { type: 'application/json', body: '{"content":' } }), 400, 'invalid_json'],
      [api(`${path}/messages`, undefined, { raw: { type: 'multipart/form-data; boundary=zzz', body: '--zzz\r\nContent-Disposition: form-data; name="content"\r\n\r\nunterminated' } }), 400, 'bad_request'],
      [api(`${path}/toggle_status`, { status: 'closed' }), 400, 'validation_failed'],
      [api(`${path}/nothing`, {}), 404, 'not_found'],
    ];
    for (const [p, status, code] of cases) {
      const res = await p;
      expect([res.status, res.json.code], JSON.stringify(res.json)).toEqual([status, code]);
      expect(typeof res.json.error).toBe('string');
    }
    expect((await s.call('GET', `/v1/conversations/${first.body.conversation.id}/events`)).body.items.length).toBe(before);
  });
});
