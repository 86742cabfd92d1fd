import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { userOf } from '../../src/dialects/sunco/sunco-resources.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { API_KEY, APP, basic, KEYS, suncoConfig, suncoEvents, suncoFixture, suncoIds, WEBHOOK_SECRETS } from '../helpers/sunco-setup.js';

// The document's conversation:message example was received at this instant.
const T0 = '2020-09-30T18:00:56.820Z';

describe.each(['sqlite', 'postgres'] as const)('Sunshine Conversations switchboard integrations on %s', (engine) => {
  let s: TestServer | undefined;
  let hooks: Receiver | undefined;
  afterEach(async () => {
    await s?.close();
    await hooks?.close();
    s = undefined;
    hooks = undefined;
  });

  async function setup(opts: Parameters<typeof suncoConfig>[1] = {}) {
    hooks = await startReceiver(() => ({ status: 200, body: '' }));
    const clock = new ManualClock(T0);
    s = await startServer(engine, suncoConfig(hooks.url, opts), { clock, apiKey: API_KEY });
    const server = s;
    const customer = (text: string, extra: Record<string, unknown> = {}) => server.call('POST', '/v1/channels/api/messages', { customer: '912382197', text, ...extra });
    /** A call to the Sunshine API as `as` (the bot's key unless told), the body sent as JSON. */
    const api = async (method: string, path: string, body?: unknown, as: { id: string; secret: string } | string = KEYS.bot) => {
      const headers: Record<string, string> = { authorization: typeof as === 'string' ? as : basic(as) };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${server.url}/v2/apps/${APP}${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, text, json: text ? JSON.parse(text) : null };
    };
    const drain = () => server.baton.dispatcher.drain();
    const chat = async () => {
      const first = await customer('hello', { messageId: '374' });
      return { conversationId: first.body.conversation.id as string, messageId: first.body.message.id as string };
    };
    return { s: server, hooks: hooks!, clock, customer, api, drain, chat };
  }

  const values = (conversationId: string, extra: Record<string, string> = {}) => ({ ...suncoIds(), conversationId, userId: userOf({ accountId: APP, channelId: 'api', customer: '912382197' }).id, ...extra });

  it('sends the document\'s conversation:message to the active integration, with X-API-Key, and nothing to a standby one', async () => {
    const { hooks, drain, chat } = await setup();
    const { conversationId, messageId } = await chat();
    await drain();
    const [hook] = suncoEvents(hooks, '/bot');
    expect(hook!.headers['x-api-key']).toBe(WEBHOOK_SECRETS.bot);
    expect(hook!.body).toBe(suncoFixture('conversation-message', values(conversationId, { webhookId: suncoIds().botWebhookId, eventId: hook!.event.id, messageId })));
    expect(suncoEvents(hooks, '/human')).toEqual([]);
  });

  it('sends a postback as conversation:postback', async () => {
    const { hooks, drain, customer } = await setup();
    const sent = await customer('', { content: { type: 'postback', postback: { payload: 'Greet', title: 'Hi' } } });
    await drain();
    const [hook] = suncoEvents(hooks, '/bot');
    expect(hook!.body).toBe(suncoFixture('conversation-postback', values(sent.body.conversation.id, { webhookId: suncoIds().botWebhookId, eventId: hook!.event.id, createdAt: T0 })));
  });

  it('posts the document\'s text message as the business and answers its 201 shape', async () => {
    const { api, chat, clock } = await setup();
    const { conversationId } = await chat();
    clock.set('2020-09-30T18:00:58.000Z');
    const res = await api('POST', `/conversations/${conversationId}/messages`, readFileSync(new URL('../fixtures/sunco/post-message-text.json', import.meta.url), 'utf8'));
    expect(res.status).toBe(201);
    expect(res.text).toBe(suncoFixture('post-message-text-response', { messageId: res.json.messages[0].id, received: '2020-09-30T18:00:58.000Z' }));
    const listed = await api('GET', `/conversations/${conversationId}/messages`);
    expect(listed.json.messages.map((m: any) => [m.author.type, m.content.text])).toEqual([['user', 'hello'], ['business', 'Hello!']]);
  });

  it('passes control by name, tells both integrations in the document\'s passControl shape, and carries metadata', async () => {
    const { api, hooks, drain, chat, clock } = await setup();
    const { conversationId } = await chat();
    clock.set('2020-09-30T18:01:00.000Z');
    const res = await api('POST', `/conversations/${conversationId}/passControl`, { switchboardIntegration: 'human' });
    expect([res.status, res.text]).toEqual([200, '{}']);
    await drain();
    const human = suncoEvents(hooks, '/human');
    expect(human.map((h) => h.event.type)).toEqual(['switchboard:passControl']);
    expect(human[0]!.body).toBe(suncoFixture('switchboard-pass-control', values(conversationId, { webhookId: suncoIds().humanWebhookId, eventId: human[0]!.event.id, createdAt: '2020-09-30T18:01:00.000Z' })));
    expect(suncoEvents(hooks, '/bot').map((h) => h.event.type)).toEqual(['conversation:message', 'switchboard:passControl']);
    const got = await api('GET', `/conversations/${conversationId}`);
    expect(got.json.conversation.activeSwitchboardIntegration.name).toBe('human');

    // back with `next` and metadata: the metadata is in the webhook
    const back = await api('POST', `/conversations/${conversationId}/passControl`, { switchboardIntegration: 'next', metadata: { reason: 'solved', score: 5, vip: false } }, KEYS.human);
    expect(back.status).toBe(200);
    await drain();
    const last = suncoEvents(hooks, '/bot').at(-1)!;
    expect(last.event.payload).toEqual({ conversation: { id: conversationId, type: 'personal', activeSwitchboardIntegration: expect.objectContaining({ name: 'bot' }) }, metadata: { reason: 'solved', score: 5, vip: false } });
  });

  it('refuses bad switchboard calls with clear errors that change nothing', async () => {
    const { api, chat } = await setup();
    const { conversationId } = await chat();
    const cases: [unknown, number, string][] = [
      [{}, 400, 'validation_failed'],
      [{ switchboardIntegration: 'nobody' }, 400, 'validation_failed'],
      [{ switchboardIntegration: 'custom' }, 400, 'validation_failed'],
      [{ switchboardIntegration: 'human', metadata: { nested: { a: 1 } } }, 400, 'validation_failed'],
      [{ switchboardIntegration: 'human', metadata: { big: 'x'.repeat(4100) } }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await api('POST', `/conversations/${conversationId}/passControl`, body);
      expect([res.status, res.json.errors[0].code]).toEqual([status, code]);
      expect(typeof res.json.errors[0].title).toBe('string');
    }
    const missing = await api('POST', '/conversations/no-such-conversation/passControl', { switchboardIntegration: 'human' });
    expect([missing.status, missing.json]).toEqual([404, { errors: [{ code: 'conversation_not_found', title: expect.any(String) }] }]);
    const stranger = await api('POST', `/conversations/${conversationId}/passControl`, { switchboardIntegration: 'human' }, { id: KEYS.bot.id, secret: 'wrong-secret' });
    expect([stranger.status, stranger.json.errors[0].code]).toEqual([401, 'unauthorized']);
    expect((await api('GET', `/conversations/${conversationId}`)).json.conversation.activeSwitchboardIntegration.name).toBe('bot');
  });

  it('offers control: pending until the offered integration accepts; a 403 for anyone else; the document\'s shapes', async () => {
    const { api, hooks, drain, chat, clock } = await setup({ humanStandby: true });
    const { conversationId } = await chat();
    clock.set('2020-09-30T18:02:00.000Z');
    expect((await api('POST', `/conversations/${conversationId}/offerControl`, { switchboardIntegration: 'human' })).status).toBe(200);
    await drain();
    const offered = suncoEvents(hooks, '/human').find((h) => h.event.type === 'switchboard:offerControl')!;
    expect(offered.body).toBe(suncoFixture('switchboard-offer-control', values(conversationId, { webhookId: suncoIds().humanWebhookId, eventId: offered.event.id, createdAt: '2020-09-30T18:02:00.000Z' })));
    expect((await api('GET', `/conversations/${conversationId}`)).json.conversation.pendingSwitchboardIntegration.name).toBe('human');

    const byBot = await api('POST', `/conversations/${conversationId}/acceptControl`, {});
    expect([byBot.status, byBot.json.errors[0].code]).toEqual([403, 'forbidden']);
    const byOther = await api('POST', `/conversations/${conversationId}/acceptControl`, undefined, KEYS.other);
    expect(byOther.status).toBe(403);
    const releaseByStandby = await api('POST', `/conversations/${conversationId}/releaseControl`, undefined, KEYS.human);
    expect([releaseByStandby.status, releaseByStandby.json.errors[0].code]).toEqual([403, 'forbidden']);

    clock.set('2020-09-30T18:02:30.000Z');
    expect((await api('POST', `/conversations/${conversationId}/acceptControl`, undefined, KEYS.human)).status).toBe(200);
    await drain();
    const accepted = suncoEvents(hooks, '/human').find((h) => h.event.type === 'switchboard:acceptControl')!;
    expect(accepted.body).toBe(suncoFixture('switchboard-accept-control', values(conversationId, { webhookId: suncoIds().humanWebhookId, eventId: accepted.event.id, createdAt: '2020-09-30T18:02:30.000Z' })));
    const conv = (await api('GET', `/conversations/${conversationId}`)).json.conversation;
    expect(conv.activeSwitchboardIntegration.name).toBe('human');
    expect(conv.pendingSwitchboardIntegration).toBeUndefined();
  });

  it('releases control by the active integration: the document\'s releaseControl, then the rule\'s bot answers again', async () => {
    const { api, hooks, drain, chat, clock } = await setup();
    const { conversationId } = await chat();
    await api('POST', `/conversations/${conversationId}/passControl`, { switchboardIntegration: 'human' });
    const byBot = await api('POST', `/conversations/${conversationId}/releaseControl`);
    expect(byBot.status).toBe(403);
    clock.set('2020-09-30T18:03:00.000Z');
    expect((await api('POST', `/conversations/${conversationId}/releaseControl`, undefined, KEYS.human)).status).toBe(200);
    await drain();
    const released = suncoEvents(hooks, '/human').find((h) => h.event.type === 'switchboard:releaseControl')!;
    expect(released.body).toBe(suncoFixture('switchboard-release-control', values(conversationId, { webhookId: suncoIds().humanWebhookId, eventId: released.event.id, createdAt: '2020-09-30T18:03:00.000Z' })));
    expect((await api('GET', `/conversations/${conversationId}`)).json.conversation.activeSwitchboardIntegration.name).toBe('bot');
  });

  it('withdraws an offer nobody accepted by its deadline (offerControl:failure), or passes control to its fallback', async () => {
    const { s, api, hooks, drain, chat, clock } = await setup();
    const { conversationId } = await chat();
    const bad = await api('POST', `/conversations/${conversationId}/offerControl`, { switchboardIntegration: 'human', deadline: 'tomorrow' });
    expect([bad.status, bad.json.errors[0].code]).toEqual([400, 'validation_failed']);
    expect((await api('POST', `/conversations/${conversationId}/offerControl`, { switchboardIntegration: 'human', deadline: '2020-09-30T18:05:00.000Z' })).status).toBe(200);
    clock.set('2020-09-30T18:04:59.000Z');
    expect(await s.baton.router.runDueTimers()).toBe(0);
    clock.set('2020-09-30T18:05:00.000Z');
    expect(await s.baton.router.runDueTimers()).toBe(1);
    await drain();
    const failed = suncoEvents(hooks, '/bot').find((h) => h.event.type === 'switchboard:offerControl:failure')!;
    expect(failed.body).toBe(suncoFixture('switchboard-offer-control-failure', values(conversationId, { webhookId: suncoIds().botWebhookId, eventId: failed.event.id, createdAt: '2020-09-30T18:05:00.000Z' })));
    expect((await api('GET', `/conversations/${conversationId}`)).json.conversation.activeSwitchboardIntegration.name).toBe('bot');

    expect((await api('POST', `/conversations/${conversationId}/offerControl`, { switchboardIntegration: 'human', deadline: '2020-09-30T18:06:00.000Z', fallback: 'next' })).status).toBe(200);
    clock.set('2020-09-30T18:06:00.000Z');
    expect(await s.baton.router.runDueTimers()).toBe(1);
    const conv = (await api('GET', `/conversations/${conversationId}`)).json.conversation;
    expect([conv.activeSwitchboardIntegration.name, conv.pendingSwitchboardIntegration]).toEqual(['human', undefined]);
  });

  it('tells of a pass the desk could not take (switchboard:passControl:failure); a desk that accepts takes it for itself', async () => {
    const { api, hooks, drain, chat } = await setup({ keepBot: true });
    const { conversationId } = await chat();
    const passed = await api('POST', `/conversations/${conversationId}/passControl`, { switchboardIntegration: 'human', metadata: { topic: 'billing' } });
    expect([passed.status, passed.text]).toEqual([200, '{}']);
    await drain();
    const failures = suncoEvents(hooks, '/bot').filter((h) => h.event.type.endsWith(':failure')).map((h) => h.event);
    expect(failures.map((e) => [e.type, e.payload.error.code, e.payload.conversation.activeSwitchboardIntegration.name, e.payload.metadata])).toEqual([
      ['switchboard:passControl:failure', 'no_agents_available', 'bot', { topic: 'billing' }],
    ]);
    expect((await api('GET', `/conversations/${conversationId}`)).json.conversation.activeSwitchboardIntegration.name).toBe('bot');
    // Accepting is the desk's own word that it takes the conversation, as a takeover: no agent count applies.
    expect((await api('POST', `/conversations/${conversationId}/offerControl`, { switchboardIntegration: 'human' })).status).toBe(200);
    expect((await api('POST', `/conversations/${conversationId}/acceptControl`, {}, KEYS.human)).status).toBe(200);
    expect((await api('GET', `/conversations/${conversationId}`)).json.conversation.activeSwitchboardIntegration.name).toBe('human');
  });

  it('filters standby delivery by event type: messages but not postbacks', async () => {
    const { hooks, drain, chat, customer } = await setup({ humanStandby: ['conversation:message'] });
    await chat();
    await customer('', { content: { type: 'postback', postback: { payload: 'Greet' } } });
    await drain();
    expect(suncoEvents(hooks, '/human').map((h) => h.event.type)).toEqual(['conversation:message']);
    expect(suncoEvents(hooks, '/bot').map((h) => h.event.type)).toEqual(['conversation:message', 'conversation:postback']);
  });

  it('refuses a message from an integration that does not hold the conversation, and one authored as the user', async () => {
    const { api, chat } = await setup();
    const { conversationId } = await chat();
    const standby = await api('POST', `/conversations/${conversationId}/messages`, { author: { type: 'business' }, content: { type: 'text', text: 'hi' } }, KEYS.human);
    expect([standby.status, standby.json.errors[0].code]).toEqual([409, 'component_disabled']);
    const asUser = await api('POST', `/conversations/${conversationId}/messages`, { author: { type: 'user', userId: 'x' }, content: { type: 'text', text: 'hi' } });
    expect([asUser.status, asUser.json.errors[0].code]).toEqual([400, 'validation_failed']);
    const otherApp = await fetch(`${s!.url}/v2/apps/another-app/conversations/${conversationId}`, { headers: { authorization: basic(KEYS.bot) } });
    expect(otherApp.status).toBe(401);
  });
});
