import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_AGENT, DEMO_API_KEY } from '../../src/config/demo-config.js';
import { omnichannelInboundPath } from '../../src/dialects/omnichannel/omnichannel-paths.js';
import { bootOn, http, login, type StorePlace } from '../helpers/boot.js';
import { dropSchema, engines, freshSchemaName } from '../helpers/engines.js';
import { omnichannelFixture } from '../helpers/omnichannel.js';

const ACME_KEY = 'acme-key-0000000000000001';
const GONE_KEY = 'gone-key-0000000000000001';

function account(id: string, key: string, over: { agents?: unknown[]; components?: unknown[] } = {}) {
  return {
    id,
    apiKeys: [key],
    channels: [{ id: 'api', kind: 'native' }, { id: 'omni', kind: 'omnichannel', outboundUrl: 'http://127.0.0.1:9/client', credentials: { inboundToken: `${id}-omni-token-000000000001` } }],
    components: over.components ?? [
      { id: 'desk', kind: 'desk', dialect: 'inbox' },
      { id: 'cmbot', kind: 'bot', dialect: 'cm', secrets: { productToken: `${id}-product-token-0000001` } },
      { id: 'engbot', kind: 'bot', dialect: 'engage', secrets: { accessToken: `${id}-engage-token-0000001` } },
    ],
    services: [{ id: 'main', channels: ['api', 'omni'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'desk', desk: 'desk' } }] }],
    agents: over.agents ?? [{ id: 'alice', password: 'alice-password-1' }, { id: 'bob', password: 'bob-password-01' }],
  };
}

const V1 = { accounts: [account('acme', ACME_KEY), account('gone', GONE_KEY)] };
// bob removed, alice's password changed, the cm bot removed, account "gone" removed.
const V2 = {
  accounts: [account('acme', ACME_KEY, {
    agents: [{ id: 'alice', password: 'alice-password-2' }],
    components: [{ id: 'desk', kind: 'desk', dialect: 'inbox' }, { id: 'engbot', kind: 'bot', dialect: 'engage', secrets: { accessToken: 'acme-engage-token-0000001' } }],
  })],
};

const me = (url: string, cookie: string) => http(`${url}/inbox/api/me`, 'GET', undefined, { cookie });
const omni = (url: string, token: string) => fetch(url + omnichannelInboundPath(token), { method: 'POST', headers: { 'content-type': 'application/json' }, body: omnichannelFixture('text-message', { messageId: 'm1', text: 'hi' }) });
const cmMutation = (url: string, accountId: string, token: string) =>
  http(`${url}/conversational/control/v1/accounts/${accountId}/sessions/mutations`, 'POST', { ChatId: '00000000-0000-5000-8000-000000000000', Mutations: [{ $type: 'disableComponent', ComponentId: 'cmbot' }] }, { 'x-cm-producttoken': token });

describe.each(engines)('configuration is the truth on $name', (engine) => {
  let place: StorePlace;
  const running: { close(): Promise<void> }[] = [];
  const start = async (config: unknown | null) => {
    const b = await bootOn(place, config);
    running.push(b.baton);
    return b;
  };
  const stop = async () => {
    while (running.length) await running.pop()!.close();
  };

  afterEach(async () => {
    await stop();
    rmSync(place.dataDir, { recursive: true, force: true });
    if (place.schema) await dropSchema(place.schema);
  });

  const fresh = () => {
    place = { engine: engine.name, dataDir: mkdtempSync(join(tmpdir(), 'baton-truth-')), ...(engine.name === 'postgres' ? { schema: freshSchemaName() } : {}) };
  };

  it('removes what the file no longer names: its keys, tokens, agents and logins stop working', async () => {
    fresh();
    let { url } = await start(V1);
    const alice = await login(url, 'acme', 'alice', 'alice-password-1');
    const bob = await login(url, 'acme', 'bob', 'bob-password-01');
    const goneAgent = await login(url, 'gone', 'alice', 'alice-password-1');
    for (const l of [alice, bob, goneAgent]) expect(l.status).toBe(200);
    expect((await me(url, bob.cookie!)).status).toBe(200);
    expect((await http(`${url}/v1/components`, 'GET', undefined, { authorization: `Bearer ${GONE_KEY}` })).status).toBe(200);
    expect((await http(`${url}/1.0/status?access_token=gone-engage-token-0000001`, 'GET')).status).toBe(200);
    expect((await omni(url, 'gone-omni-token-000000000001')).status).toBe(200);
    expect((await cmMutation(url, 'acme', 'acme-product-token-0000001')).status).not.toBe(401);
    await stop();

    ({ url } = await start(V2));
    // The removed account: API key, agents, logins, Engage token, Omnichannel webhook.
    expect((await http(`${url}/v1/components`, 'GET', undefined, { authorization: `Bearer ${GONE_KEY}` })).status).toBe(401);
    expect((await login(url, 'gone', 'alice', 'alice-password-1')).status).toBe(401);
    expect((await me(url, goneAgent.cookie!)).status).toBe(401);
    expect((await http(`${url}/1.0/status?access_token=gone-engage-token-0000001`, 'GET')).status).toBe(401);
    const refused = await omni(url, 'gone-omni-token-000000000001');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'There is no active channel for received event.' });
    expect((await cmMutation(url, 'gone', 'gone-product-token-0000001')).status).toBe(401);
    // The removed agent and the agent whose password changed: logins end; only the new password opens.
    expect((await login(url, 'acme', 'bob', 'bob-password-01')).status).toBe(401);
    expect((await me(url, bob.cookie!)).status).toBe(401);
    expect((await me(url, alice.cookie!)).status).toBe(401);
    expect((await login(url, 'acme', 'alice', 'alice-password-1')).status).toBe(401);
    expect((await login(url, 'acme', 'alice', 'alice-password-2')).status).toBe(200);
    // The removed component: its product token opens nothing and it is not listed.
    expect((await cmMutation(url, 'acme', 'acme-product-token-0000001')).status).toBe(401);
    const listed = await http(`${url}/v1/components`, 'GET', undefined, { authorization: `Bearer ${ACME_KEY}` });
    expect(listed.body.items.map((c: { id: string }) => c.id).sort()).toEqual(['desk', 'engbot']);
    await stop();

    // Named again, it works again.
    ({ url } = await start(V1));
    expect((await http(`${url}/v1/components`, 'GET', undefined, { authorization: `Bearer ${GONE_KEY}` })).status).toBe(200);
    expect((await login(url, 'acme', 'bob', 'bob-password-01')).status).toBe(200);
    expect((await cmMutation(url, 'acme', 'acme-product-token-0000001')).status).not.toBe(401);
  }, 60_000);

  it('keeps the demo to demo mode: a configuration removes it, and the demo will not start beside configured accounts', async () => {
    fresh();
    let { url } = await start(null);
    expect((await http(`${url}/v1/components`, 'GET', undefined, { authorization: `Bearer ${DEMO_API_KEY}` })).status).toBe(200);
    const demoLogin = await login(url, 'demo', DEMO_AGENT.id, DEMO_AGENT.password);
    expect(demoLogin.status).toBe(200);
    await stop();

    ({ url } = await start(V2));
    expect((await http(`${url}/v1/components`, 'GET', undefined, { authorization: `Bearer ${DEMO_API_KEY}` })).status).toBe(401);
    expect((await login(url, 'demo', DEMO_AGENT.id, DEMO_AGENT.password)).status).toBe(401);
    expect((await me(url, demoLogin.cookie!)).status).toBe(401);
    await stop();

    await expect(start(null)).rejects.toMatchObject({ code: 'demo_refused' });
  }, 60_000);
});
