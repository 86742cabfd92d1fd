import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'visitor-fields-key-000000001';
const TOKEN = 'visitor-token-vip-000000000000000000000';

function config(trust: boolean) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'site', kind: 'webchat' }, { id: 'api', kind: 'native' }],
      components: [{ id: 'bot', kind: 'bot' }, { id: 'vip-desk', kind: 'desk', dialect: 'inbox' }],
      agents: [{ id: 'ann', password: 'ann-password-0001' }],
      services: [{ id: 's', channels: ['site', 'api'], rules: [
        { id: 'vip', trigger: { event: 'message', conditions: { visitor: { tier: 'gold' }, ...(trust ? { trustVisitorFields: ['tier'] } : {}) } }, action: { type: 'desk', desk: 'vip-desk' } },
        { id: 'default', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } },
      ] }],
    }],
  };
}

/** A visitor typing `tier: gold` into a page does not get the VIP desk; a channel's server vouching for it does. */
describe.each(['sqlite', 'postgres'] as const)('visitor fields and rules on %s', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  const chat = (srv: TestServer, visitor: Record<string, string>) => fetch(`${srv.url}/chat/api/acme/site/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-visitor-token': TOKEN },
    body: JSON.stringify({ id: `m-${Date.now()}-0001`, text: 'hello', visitor }),
  });

  it('marks web chat visitor fields unverified, and no rule trusts them unless it says so', async () => {
    s = await startServer(engine, config(false), { apiKey: KEY });
    expect((await chat(s, { tier: 'gold' })).status).toBe(201);
    const [conv] = (await s.call('GET', '/v1/conversations?limit=5')).body.items;
    expect(conv).toMatchObject({ ruleId: 'default', visitor: { tier: 'gold' }, unverifiedVisitor: ['tier'] });
    // The same field from a channel's server is taken as given.
    const native = await s.call('POST', '/v1/channels/api/messages', { customer: 'c-1', text: 'hello', visitor: { tier: 'gold' } });
    expect(native.body.conversation).toMatchObject({ ruleId: 'vip' });
    expect(native.body.conversation.unverifiedVisitor).toBeUndefined();
    // Agents see which fields nobody vouches for.
    const login = await fetch(`${s.url}/inbox/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: 'acme', agent: 'ann', password: 'ann-password-0001' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const detail = async (id: string) => (await fetch(`${s!.url}/inbox/api/conversations/${id}`, { headers: { cookie } })).json();
    expect(await detail(conv.id)).toMatchObject({ visitor: { tier: 'gold' }, unverifiedVisitor: ['tier'] });
    expect(await detail(native.body.conversation.id)).toMatchObject({ visitor: { tier: 'gold' }, unverifiedVisitor: [] });
  });

  it('lets a rule trust a field a visitor typed, by name', async () => {
    s = await startServer(engine, config(true), { apiKey: KEY });
    expect((await chat(s, { tier: 'gold' })).status).toBe(201);
    const [conv] = (await s.call('GET', '/v1/conversations?limit=5')).body.items;
    expect(conv).toMatchObject({ ruleId: 'vip', unverifiedVisitor: ['tier'] });
  });
});
