import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { loginAgent } from '../helpers/inbox-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const API_KEY = 'skills-api-key-00000000001';
const TOKEN = 'API_ACCESS_TOKEN-skillsbot-01';
const PASSWORD = 'agent-password-1';

/**
 * Two sources straight to the humans' queue, and four agents: one with the AGENT skill on every
 * source, one with another skill only, one with AGENT on the mail source only, one listing no
 * skills (holds them all).
 */
function config(extra: { sources?: string[]; bot?: boolean } = {}) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [API_KEY],
      categories: { bot: 'BOT', agent: 'AGENT' },
      availability: { policy: 'keep-bot' },
      channels: [{ id: 'chat', kind: 'native', realtime: true }, { id: 'mail', kind: 'native' }],
      components: [
        { id: 'engagebot', kind: 'bot', dialect: 'engage', secrets: { accessToken: TOKEN } },
        { id: 'inbox', kind: 'desk', dialect: 'inbox' },
      ],
      services: [{ id: 'care', channels: ['chat', 'mail'], rules: [{ id: 'first', trigger: { event: 'message' }, action: extra.bot ? { type: 'bot', bot: 'engagebot' } : { type: 'desk', desk: 'inbox' } }] }],
      agents: [
        { id: 'amelie', password: PASSWORD, categories: ['AGENT'] },
        { id: 'dora', password: PASSWORD, categories: ['VIP'] },
        { id: 'mona', password: PASSWORD, categories: ['AGENT'], sources: extra.sources ?? ['mail'] },
        { id: 'ned', password: PASSWORD },
      ],
    }],
  };
}

describe('baton.yaml agents[].sources', () => {
  it('names channels of the account', () => {
    expect(() => validateConfig(config({ sources: ['mail', 'fax'] }))).toThrow(/accounts\[0\]\.agents\[2\]\.sources\[1\]: no channel "fax" in this account/);
    expect(validateConfig(config()).accounts[0]!.agents.map((a) => a.agent.sources)).toEqual([undefined, undefined, ['mail'], undefined]);
  });
});

describe.each(['sqlite', 'postgres'] as const)('agents\' skills and sources (Engage) on %s', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  async function setup(extra: { bot?: boolean } = {}) {
    s = await startServer(engine, config(extra), { apiKey: API_KEY });
    const server = s;
    const write = async (channel: string, customer: string) => {
      const res = await server.call('POST', `/v1/channels/${channel}/messages`, { customer, text: 'hello' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.conversation.id as string;
    };
    const agents = Object.fromEntries(await Promise.all(['amelie', 'dora', 'mona', 'ned'].map(async (id) => [id, await loginAgent(server.url, 'acme', id, PASSWORD)] as const)));
    const queue = async (id: string) => ((await agents[id]!.call('GET', '/conversations')).body.items as { id: string }[]).map((c) => c.id).sort();
    return { server, write, agents, queue };
  }

  it('offers handed-over conversations only to agents holding the agent category, on the sources they may read', async () => {
    const { server, write, agents, queue } = await setup();
    const chat = await write('chat', '+15550001');
    const mail = await write('mail', 'someone@example.com');
    expect(await queue('amelie')).toEqual([chat, mail].sort());
    expect(await queue('ned')).toEqual([chat, mail].sort());
    expect(await queue('dora')).toEqual([]);
    expect(await queue('mona')).toEqual([mail]);

    // Not readable: the conversation, its past and any action on it.
    const opened = await agents.mona!.call('GET', `/conversations/${chat}`);
    expect(opened.status).toBe(403);
    expect(opened.body.error.code).toBe('forbidden');
    expect((await agents.mona!.call('GET', `/conversations/${chat}/past`)).status).toBe(403);
    expect((await agents.mona!.call('POST', `/conversations/${chat}/note`, { text: 'peek' })).status).toBe(403);
    expect((await agents.mona!.call('GET', `/conversations/${mail}`)).status).toBe(200);

    // The search shows what they may read only.
    const found = (await agents.mona!.call('GET', '/search?q=hello')).body.items.map((c: { id: string }) => c.id);
    expect(found).toEqual([mail]);
  });

  it('refuses to give a conversation to an agent lacking the agent category or its source, and changes nothing', async () => {
    const { server, write, agents } = await setup();
    const chat = await write('chat', '+15550002');
    const before = (await server.call('GET', `/v1/conversations/${chat}`)).body;

    const take = await agents.dora!.call('POST', `/conversations/${chat}/take`, {});
    expect(take.status).toBe(409);
    expect(take.body.error).toMatchObject({ code: 'agent_lacks_category', details: { agentId: 'dora', category: 'AGENT' } });
    const assigned = await server.call('POST', `/v1/conversations/${chat}/assign`, { agentId: 'dora' });
    expect(assigned.status).toBe(409);
    expect(assigned.body.error.code).toBe('agent_lacks_category');
    const byInbox = await agents.amelie!.call('POST', `/conversations/${chat}/assign`, { agentId: 'mona' });
    expect(byInbox.status).toBe(409);
    expect(byInbox.body.error).toMatchObject({ code: 'source_not_permitted', details: { agentId: 'mona', channelId: 'chat' } });
    const reply = await server.call('POST', `/v1/conversations/${chat}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: 'dora', text: 'hi' });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('agent_lacks_category');

    const after = (await server.call('GET', `/v1/conversations/${chat}`)).body;
    expect(after.controlVersion).toBe(before.controlVersion);
    expect(after.agentSession).toEqual(before.agentSession);
    expect((await server.call('GET', `/v1/conversations/${chat}/messages`)).body.items).toHaveLength(1);

    // Those who may take it still do.
    expect((await agents.ned!.call('POST', `/conversations/${chat}/take`, {})).status).toBe(200);
    const mail = await write('mail', 'someone@example.com');
    expect((await server.call('POST', `/v1/conversations/${mail}/assign`, { agentId: 'mona' })).status).toBe(200);
  });

  it('counts only agents who may take a conversation as available for it', async () => {
    const { server } = await setup();
    const online = (id: string) => server.call('PUT', `/v1/agents/${id}/presence`, { presence: 'online' });
    await online('dora');
    await online('mona');
    const status = (channel: string) => server.baton.queries.chatAvailability('acme', channel, new Date());
    expect((await status('chat')).agentsOnline).toBe(0);
    expect((await status('mail')).agentsOnline).toBe(1);
  });

  it('keeps the bot on a real-time channel while no agent who may take the handover is online', async () => {
    const { server, write } = await setup({ bot: true });
    const chat = await write('chat', '+15550003');
    const online = (id: string) => server.call('PUT', `/v1/agents/${id}/presence`, { presence: 'online' });
    await online('dora');
    await online('mona');
    const refused = await server.call('POST', `/v1/conversations/${chat}/handover`, { by: 'engagebot' });
    expect(refused.body.events.map((e: { type: string }) => e.type)).toEqual(['handover.rejected']);
    expect(refused.body.conversation.controller).toBe('bot');
    await online('amelie');
    const handed = await server.call('POST', `/v1/conversations/${chat}/handover`, { by: 'engagebot' });
    expect(handed.body.conversation.controller).toBe('desk');
  });

  it('shows each agent on the sources it may read in /1.0/status and /1.0/users', async () => {
    const { server } = await setup();
    for (const id of ['amelie', 'dora', 'mona']) await server.call('PUT', `/v1/agents/${id}/presence`, { presence: 'online' });
    const engage = async (path: string) => (await fetch(`${server.url}/1.0${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<any>;
    expect(await engage('/status')).toEqual([
      { agent_id: 'amelie', status: { chat: 'available', mail: 'available' } },
      { agent_id: 'dora', status: { chat: 'available', mail: 'available' } },
      { agent_id: 'mona', status: { mail: 'available' } },
    ]);
    expect(await engage('/users/mona')).toMatchObject({ id: 'mona', category_ids: ['AGENT'], source_ids: ['mail'] });
    expect(await engage('/users/ned')).toMatchObject({ id: 'ned', category_ids: [], source_ids: ['chat', 'mail'] });
    const skilled = await engage('/users?category_id=AGENT');
    expect(skilled.records.map((u: { id: string }) => u.id).sort()).toEqual(['amelie', 'mona']);
  });
});
