import { afterEach, describe, expect, it } from 'vitest';
import { type BatonHome, batonHome, callBaton } from '../helpers/child-baton.js';

const KEY = 'race-mp-key-0000000000001';
const AGENTS = ['amy', 'ben'];
const ROUNDS = 20;

const CONFIG = {
  accounts: [{
    id: 'acme',
    apiKeys: [KEY],
    channels: [{ id: 'web', kind: 'native' }],
    components: [{ id: 'bot', kind: 'bot' }, { id: 'desk', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 's', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] }],
    defaultDesk: 'desk',
    agents: AGENTS.map((id) => ({ id })),
  }],
};

// PostgreSQL only: SQLite has a single writer process, so two processes on it is not a supported setup.
describe('the take race across two Baton processes on one PostgreSQL schema', () => {
  let home: BatonHome | undefined;
  afterEach(async () => {
    await home?.dispose();
    home = undefined;
  });

  it('lets exactly one of two agents take each conversation when their takes reach different processes at once', async () => {
    home = batonHome('postgres', CONFIG);
    const a = await home.start();
    const b = await home.start();
    for (let round = 0; round < ROUNDS; round++) {
      const conv = (await callBaton(a.url, KEY, 'POST', '/v1/channels/web/messages', { customer: `race-${round}`, text: 'hi' })).body.conversation.id as string;
      expect((await callBaton(b.url, KEY, 'POST', `/v1/conversations/${conv}/handover`, { by: 'bot' })).status).toBe(200);
      const [first, second] = await Promise.all([
        callBaton(a.url, KEY, 'POST', `/v1/conversations/${conv}/assign`, { agentId: 'amy' }),
        callBaton(b.url, KEY, 'POST', `/v1/conversations/${conv}/assign`, { agentId: 'ben' }),
      ]);
      expect([first.status, second.status].sort(), `round ${round}`).toEqual([200, 409]);
      const winner = first.status === 200 ? 'amy' : 'ben';
      const refused = first.status === 409 ? first : second;
      expect(refused.body.error).toMatchObject({ code: 'conversation_taken', details: { agentId: winner } });
      const events = (await callBaton(a.url, KEY, 'GET', `/v1/conversations/${conv}/events`)).body.items as { type: string; data: { agentId?: string } }[];
      expect(events.filter((e) => e.type === 'agent_session.assigned').map((e) => e.data.agentId)).toEqual([winner]);
    }
  }, 120_000);
});
