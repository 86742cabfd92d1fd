import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY_A = 'tenant-a-key-0000000001';
const KEY_B = 'tenant-b-key-0000000002';

function tenant(id: string, key: string) {
  return {
    id,
    apiKeys: [key],
    channels: [{ id: 'web', kind: 'native' }, { id: 'off', kind: 'native', active: false }],
    components: [{ id: 'bot', kind: 'bot' }, { id: 'desk', kind: 'desk' }],
    services: [{ id: 'main', channels: ['web', 'off'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }],
  };
}

describe('bad input gets a clear error and changes nothing', () => {
  let s: TestServer;
  let convOfB: string;

  beforeAll(async () => {
    s = await startServer('sqlite', { accounts: [tenant('a', KEY_A), tenant('b', KEY_B)] }, { apiKey: KEY_A });
    const b = await s.call('POST', '/v1/channels/web/messages', { customer: 'x', text: 'hi' }, { authorization: `Bearer ${KEY_B}` });
    convOfB = b.body.conversation.id;
  });
  afterAll(async () => s.close());

  async function countRows(): Promise<number> {
    const k = s.baton.store.kysely;
    const [m, e, c] = await Promise.all([
      k.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
      k.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
      k.selectFrom('conversations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return Number(m.n) + Number(e.n) + Number(c.n);
  }

  const cases: [string, () => Promise<{ status: number; body: any }>, number, string][] = [
    ['malformed JSON', () => s.call('POST', '/v1/channels/web/messages', '{"customer": "x", "text": '), 400, 'invalid_json'],
    ['a wrong type', () => s.call('POST', '/v1/channels/web/messages', { customer: 42, text: 'hi' }), 400, 'validation_failed'],
    ['a missing field', () => s.call('POST', '/v1/channels/web/messages', { text: 'hi' }), 400, 'validation_failed'],
    ['an unknown field', () => s.call('POST', '/v1/channels/web/messages', { customer: 'x', text: 'hi', colour: 'red' }), 400, 'validation_failed'],
    ['neither text nor content', () => s.call('POST', '/v1/channels/web/messages', { customer: 'x' }), 400, 'validation_failed'],
    ['no API key', () => s.call('POST', '/v1/channels/web/messages', { customer: 'x', text: 'hi' }, { authorization: '' }), 401, 'unauthorized'],
    ['an unknown API key (unknown account)', () => s.call('POST', '/v1/channels/web/messages', { customer: 'x', text: 'hi' }, { authorization: 'Bearer nobody-knows-this-key-123' }), 401, 'unauthorized'],
    ['an unknown channel', () => s.call('POST', '/v1/channels/nope/messages', { customer: 'x', text: 'hi' }), 404, 'channel_not_found'],
    ['a switched-off channel', () => s.call('POST', '/v1/channels/off/messages', { customer: 'x', text: 'hi' }), 409, 'channel_inactive'],
    ['an oversize body', () => s.call('POST', '/v1/channels/web/messages', { customer: 'x', text: 'y'.repeat(60_000), context: { blob: 'z'.repeat(1_100_000) } }), 413, 'payload_too_large'],
    ['a body that is not JSON', () => s.call('POST', '/v1/channels/web/messages', 'customer=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type'],
    ['an unknown conversation', () => s.call('POST', '/v1/conversations/00000000-0000-5000-8000-000000000000/handover', {}), 404, 'conversation_not_found'],
    ['another account\'s conversation', () => s.call('POST', `/v1/conversations/${convOfB}/handover`, {}), 404, 'conversation_not_found'],
    ['another account\'s conversation, read', () => s.call('GET', `/v1/conversations/${convOfB}`), 404, 'conversation_not_found'],
    ['another account\'s events', () => s.call('GET', `/v1/conversations/${convOfB}/events`), 404, 'conversation_not_found'],
    ['another account\'s reply', () => s.call('POST', `/v1/conversations/${convOfB}/replies`, { componentId: 'bot', text: 'x' }), 404, 'conversation_not_found'],
    ['an unknown route', () => s.call('GET', '/v1/nothing-here'), 404, 'not_found'],
    ['a bad query value', () => s.call('GET', '/v1/conversations?limit=0'), 400, 'validation_failed'],
    ['a forged cursor', () => s.call('GET', '/v1/conversations?after=garbage'), 400, 'bad_request'],
    ['an unknown agent', () => s.call('PUT', '/v1/agents/ghost/presence', { presence: 'online' }), 404, 'agent_not_found'],
  ];

  it.each(cases)('%s', async (_name, run, status, code) => {
    const before = await countRows();
    const res = await run();
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    expect(res.body.error.message.length).toBeGreaterThan(10);
    expect(await countRows()).toBe(before);
  });

  it('refuses an Idempotency-Key reused for a different request, and replays the same one', async () => {
    const first = await s.call('POST', '/v1/channels/web/messages', { customer: 'idem', text: 'one' }, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    const replay = await s.call('POST', '/v1/channels/web/messages', { customer: 'idem', text: 'one' }, { 'idempotency-key': 'k-1' });
    expect(replay.status).toBe(200);
    expect(replay.body.message.id).toBe(first.body.message.id);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const before = await countRows();
    const other = await s.call('POST', '/v1/channels/web/messages', { customer: 'idem', text: 'two' }, { 'idempotency-key': 'k-1' });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
    expect(await countRows()).toBe(before);
  });

  it('replays an idempotent control call instead of running it twice', async () => {
    const conv = (await s.call('POST', '/v1/channels/web/messages', { customer: 'idem-2', text: 'hi' })).body.conversation;
    const a = await s.call('POST', `/v1/conversations/${conv.id}/close`, {}, { 'idempotency-key': 'close-1' });
    const b = await s.call('POST', `/v1/conversations/${conv.id}/close`, {}, { 'idempotency-key': 'close-1' });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.events).toEqual(a.body.events);
    const third = await s.call('POST', `/v1/conversations/${conv.id}/close`, {});
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe('invalid_transition');
  });

  it('serves an OpenAPI 3.1 document that lists the native routes, and the docs page', async () => {
    const doc = await s.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const path of ['/v1/channels/{channelId}/messages', '/v1/conversations/{id}/replies', '/v1/conversations/{id}/handover', '/v1/conversations/{id}/takeover', '/v1/conversations/{id}/handback', '/v1/conversations/{id}/reset', '/v1/conversations/{id}/close', '/v1/conversations/{id}', '/v1/conversations/{id}/events', '/v1/conversations']) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    const page = await fetch(`${s.url}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });

  it('answers /healthz and /readyz', async () => {
    expect((await s.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await s.call('GET', '/readyz')).body).toMatchObject({ status: 'ready', engine: 'sqlite' });
  });
});

describe('control calls that name what does not exist', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer('sqlite', { accounts: [{ ...tenant('a', KEY_A), defaultDesk: 'desk', agents: [{ id: 'amy' }] }] }, { apiKey: KEY_A });
  });
  afterAll(async () => s.close());

  it.each([
    ['a handover to an unknown desk', 'handover', { desk: 'nope' }, 'component_not_found'],
    ['a takeover by an unknown desk', 'takeover', { by: 'nope' }, 'component_not_found'],
    ['a mutation of an unknown component', 'mutations', { mutations: [{ componentId: 'nope', enabled: true }] }, 'component_not_found'],
  ])('refuses %s and changes nothing', async (_name, route, body, code) => {
    const conv = (await s.call('POST', '/v1/channels/web/messages', { customer: `x-${route}`, text: 'hi' })).body.conversation;
    const res = await s.call('POST', `/v1/conversations/${conv.id}/${route}`, body);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe(code);
    const after = (await s.call('GET', `/v1/conversations/${conv.id}`)).body.conversation;
    expect(after).toMatchObject({ controller: 'bot', controlVersion: 1, mutations: {} });
  });

  it('refuses to assign to an unknown agent', async () => {
    const conv = (await s.call('POST', '/v1/channels/web/messages', { customer: 'x-assign', text: 'hi' })).body.conversation;
    await s.call('POST', `/v1/conversations/${conv.id}/handover`, {});
    const res = await s.call('POST', `/v1/conversations/${conv.id}/assign`, { agentId: 'nope' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('agent_not_found');
    expect((await s.call('POST', `/v1/conversations/${conv.id}/assign`, { agentId: 'amy' })).status).toBe(200);
  });
});
