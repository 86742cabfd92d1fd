import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEYS = { 'agent-first': 'acme-key-000000000000001', 'bot-first': 'beta-key-000000000000002' } as const;

function account(id: string, key: string, reopenPolicy: 'agent-first' | 'bot-first') {
  return {
    id,
    apiKeys: [key],
    reopenPolicy,
    threadInclusionDelay: '5m',
    teams: [{ id: 'billing', values: ['billing'] }],
    channels: [{ id: 'web', kind: 'native', address: id }],
    components: [{ id: 'bot', kind: 'bot' }, { id: 'desk', kind: 'desk' }],
    services: [{ id: 'main', channels: ['web'], rules: [{ id: 'r1', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] }],
    agents: [{ id: 'alice', teams: ['billing'] }],
  };
}

const CONFIG = { accounts: [account('acme', KEYS['agent-first'], 'agent-first'), account('beta', KEYS['bot-first'], 'bot-first')] };

describe.each(['sqlite', 'postgres'] as const)('conversation life cycle over HTTP on %s', (engine) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe.each(['agent-first', 'bot-first'] as const)('reopen policy %s', (policy) => {
    it('routes, refuses, hands over, closes, reopens, hands back and resets with a gapless log', async () => {
      const clock = new ManualClock('2026-03-02T09:00:00.000Z');
      server = await startServer(engine, CONFIG, { clock, apiKey: KEYS[policy] });
      const s = server;

      // customer -> bot
      const first = await s.call('POST', '/v1/channels/web/messages', { customer: '+31600000001', text: 'hi', messageId: 'm1' });
      expect(first.status).toBe(201);
      const conv = first.body.conversation;
      expect(conv.controller).toBe('bot');
      expect(conv.controlVersion).toBe(1);
      expect(first.body.events.map((e: any) => e.type)).toEqual(['conversation.opened', 'bot_session.opened', 'message.received']);
      const id: string = conv.id;
      const firstBotSession: string = conv.botSession.id;

      // a retried delivery of the same channel message is accepted once
      const again = await s.call('POST', '/v1/channels/web/messages', { customer: '+31600000001', text: 'hi', messageId: 'm1' });
      expect(again.status).toBe(200);
      expect(again.body.duplicate).toBe(true);
      expect(again.body.message.id).toBe(first.body.message.id);

      // bot reply
      const botReply = await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'bot', text: 'Hello! How can I help?', expectedVersion: 1 });
      expect(botReply.status).toBe(201);

      // the dormant desk may not answer while the bot is in control
      const dormant = await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'desk', authorKind: 'agent', agentId: 'alice', text: 'me too' });
      expect(dormant.status).toBe(409);
      expect(dormant.body.error.code).toBe('component_disabled');

      // handover with context: team from the context values
      const handover = await s.call('POST', `/v1/conversations/${id}/handover`, { by: 'bot', note: 'wants an invoice copy', context: { topic: 'billing' }, expectedVersion: 1 });
      expect(handover.status).toBe(200);
      expect(handover.body.conversation.controller).toBe('desk');
      expect(handover.body.conversation.controlVersion).toBe(2);
      expect(handover.body.conversation.team).toBe('billing');
      expect(handover.body.conversation.agentSession).toMatchObject({ status: 'queued', team: 'billing', note: 'wants an invoice copy' });
      expect(handover.body.conversation.enabled).toEqual({ bot: false, desk: true });
      const firstAgentSession: string = handover.body.conversation.agentSession.id;

      // the bot, late: stale version, then no version at all
      const stale = await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'bot', text: 'anything else?', expectedVersion: 1 });
      expect(stale.status).toBe(409);
      expect(stale.body.error.code).toBe('stale_control');
      const refused = await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'bot', text: 'anything else?' });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('component_disabled');

      // customer message now goes to the desk; the bot observes
      const toDesk = await s.call('POST', '/v1/channels/web/messages', { customer: '+31600000001', text: 'my invoice please', messageId: 'm2' });
      expect(toDesk.body.events.map((e: any) => e.type)).toEqual(['message.received']);
      expect(toDesk.body.events[0].data.controller).toBe('desk');
      const deliveries = await s.baton.store.kysely.selectFrom('deliveries').select(['target_id', 'for_reply']).where('conversation_id', '=', id).where('seq', '=', toDesk.body.events[0].seq).orderBy('target_id').execute();
      expect(deliveries).toEqual([{ target_id: 'bot', for_reply: 0 }, { target_id: 'desk', for_reply: 1 }]);

      // agent reply, then the agent closes the session
      const agentReply = await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'desk', authorKind: 'agent', agentId: 'alice', text: 'Sent it to you.', expectedVersion: 2 });
      expect(agentReply.status).toBe(201);
      const closed = await s.call('POST', `/v1/conversations/${id}/close`, { scope: 'agent_session', agentId: 'alice' });
      expect(closed.status).toBe(200);
      if (policy === 'agent-first') {
        expect(closed.body.events.map((e: any) => e.type)).toEqual(['agent_session.closed']);
        expect(closed.body.conversation.controller).toBe('desk');
      } else {
        expect(closed.body.events.map((e: any) => e.type)).toEqual(['agent_session.closed', 'handback']);
        expect(closed.body.conversation.controller).toBe('bot');
      }

      // a customer message within the thread inclusion delay reopens the agent session while the
      // humans have the conversation (agent-first); with the bot back in control nothing reopens
      clock.advance(60_000);
      const reopen = await s.call('POST', '/v1/channels/web/messages', { customer: '+31600000001', text: 'one more thing', messageId: 'm3' });
      if (policy === 'agent-first') {
        expect(reopen.body.events.map((e: any) => e.type)).toEqual(['agent_session.reopened', 'message.received']);
        expect(reopen.body.events[0].data).toMatchObject({ agentSessionId: firstAgentSession, policy, handledBy: 'desk' });
        expect(reopen.body.conversation.controller).toBe('desk');
      } else {
        expect(reopen.body.events.map((e: any) => e.type)).toEqual(['message.received']);
        expect(reopen.body.conversation.controller).toBe('bot');
        const again2 = await s.call('POST', `/v1/conversations/${id}/handover`, { by: 'bot', note: 'still stuck' });
        expect(again2.status).toBe(200);
        // every handover is a new agent session: the one the agent closed stays closed
        expect(again2.body.conversation.agentSession.id).not.toBe(firstAgentSession);
      }

      // handback with a position: the bot is told where to continue
      const version = (await s.call('GET', `/v1/conversations/${id}`)).body.conversation.controlVersion;
      const handback = await s.call('POST', `/v1/conversations/${id}/handback`, { by: 'desk', position: { flow: 'billing', step: 'anything-else' }, expectedVersion: version });
      expect(handback.status).toBe(200);
      expect(handback.body.events.map((e: any) => e.type)).toEqual(['agent_session.closed', 'handback', 'position.requested']);
      expect(handback.body.conversation).toMatchObject({ controller: 'bot', controlVersion: version + 1, position: { flow: 'billing', step: 'anything-else' } });
      const backAgain = await s.call('POST', `/v1/conversations/${id}/handback`, { by: 'desk' });
      expect(backAgain.status).toBe(409);
      expect(backAgain.body.error.code).toBe('component_disabled');

      // takeover by the desk, then reset to the rule's defaults
      const takeover = await s.call('POST', `/v1/conversations/${id}/takeover`, { by: 'desk', agentId: 'alice' });
      expect(takeover.status).toBe(200);
      expect(takeover.body.conversation.agentSession).toMatchObject({ status: 'assigned', agentId: 'alice' });
      const reset = await s.call('POST', `/v1/conversations/${id}/reset`, {});
      expect(reset.status).toBe(200);
      expect(reset.body.conversation).toMatchObject({ controller: 'bot', mutations: {} });

      // the bot closes its session; the next customer message opens a new one
      const closeBot = await s.call('POST', `/v1/conversations/${id}/close`, { scope: 'bot_session', by: 'bot' });
      expect(closeBot.body.events.map((e: any) => e.type)).toEqual(['bot_session.closed']);
      const fresh = await s.call('POST', '/v1/channels/web/messages', { customer: '+31600000001', text: 'new question', messageId: 'm4' });
      expect(fresh.body.conversation.botSession.id).not.toBe(firstBotSession);

      // the whole log: gapless, in order, with every refusal recorded
      const log = await s.call('GET', `/v1/conversations/${id}/events?limit=1000`);
      const seqs = log.body.items.map((e: any) => e.seq);
      expect(seqs).toEqual(seqs.map((_: number, i: number) => i + 1));
      const types: string[] = log.body.items.map((e: any) => e.type);
      expect(types.filter((t) => t === 'reply.refused')).toHaveLength(3);
      expect(types[0]).toBe('conversation.opened');
      const paged = await s.call('GET', `/v1/conversations/${id}/events?after=3&limit=2`);
      expect(paged.body.items.map((e: any) => e.seq)).toEqual([4, 5]);
      expect(paged.body.next).toBe(5);
    });
  });

  it('after the thread inclusion delay a customer message starts over under the rule defaults (agent-first)', async () => {
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    server = await startServer(engine, CONFIG, { clock, apiKey: KEYS['agent-first'] });
    const s = server;
    const first = await s.call('POST', '/v1/channels/web/messages', { customer: '+31600000002', text: 'hi' });
    const id = first.body.conversation.id;
    await s.call('POST', `/v1/conversations/${id}/handover`, { by: 'bot' });
    await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'desk', authorKind: 'agent', agentId: 'alice', text: 'hello' });
    await s.call('POST', `/v1/conversations/${id}/close`, { scope: 'agent_session' });
    clock.advance(6 * 60_000);
    const later = await s.call('POST', '/v1/channels/web/messages', { customer: '+31600000002', text: 'back again' });
    expect(later.body.events.map((e: any) => e.type)).toEqual(['reset', 'message.received']);
    expect(later.body.conversation.controller).toBe('bot');
    expect(later.body.conversation.agentSession).toBeNull();
  });

  it('lists conversations by status, team and controller with cursor paging', async () => {
    server = await startServer(engine, CONFIG, { apiKey: KEYS['agent-first'] });
    const s = server;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await s.call('POST', '/v1/channels/web/messages', { customer: `+3160000010${i}`, text: 'hi' })).body.conversation.id);
    await s.call('POST', `/v1/conversations/${ids[0]}/handover`, { context: { q: 'billing' } });
    await s.call('POST', `/v1/conversations/${ids[1]}/close`, {});
    expect((await s.call('GET', '/v1/conversations?controller=desk')).body.items.map((c: any) => c.id)).toEqual([ids[0]]);
    expect((await s.call('GET', '/v1/conversations?team=billing')).body.items.map((c: any) => c.id)).toEqual([ids[0]]);
    expect((await s.call('GET', '/v1/conversations?status=closed')).body.items.map((c: any) => c.id)).toEqual([ids[1]]);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = await s.call('GET', `/v1/conversations?status=open&limit=2${after ? `&after=${after}` : ''}`);
      seen.push(...page.body.items.map((c: any) => c.id));
      after = page.body.next;
    } while (after);
    expect(seen.sort()).toEqual(ids.filter((i) => i !== ids[1]).sort());
  });
});
