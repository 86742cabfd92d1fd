import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'ops-key-00000000000000001';

function config(policy: 'queue' | 'keep-bot', wait?: string, endpoints?: { bot: Receiver; desk: Receiver }) {
  return {
    accounts: [{
      id: 'ops',
      apiKeys: [KEY],
      availability: { policy, ...(wait ? { wait } : {}) },
      teams: [{ id: 'sales', values: ['sales'] }],
      channels: [{ id: 'chat', kind: 'webchat' }, { id: 'mail', kind: 'native' }],
      components: endpoints
        ? [{ id: 'bot', kind: 'bot', url: `${endpoints.bot.url}/bot`, secrets: { webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } }, { id: 'desk', kind: 'desk', url: `${endpoints.desk.url}/desk` }]
        : [{ id: 'bot', kind: 'bot' }, { id: 'desk', kind: 'desk' }],
      services: [{ id: 'main', channels: ['chat', 'mail'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot', desk: 'desk' } }] }],
      defaultDesk: 'desk',
      agents: [{ id: 'sam', teams: ['sales'] }],
    }],
  };
}

describe.each(['sqlite', 'postgres'] as const)('availability and the emergency switch on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('keeps the bot in control on a real-time channel when no agent is online (keep-bot), hands over once one is', async () => {
    s = await startServer(engine, config('keep-bot'), { apiKey: KEY });
    const conv = (await s.call('POST', '/v1/channels/chat/messages', { customer: 'v1', text: 'hi' })).body.conversation;
    const rejected = await s.call('POST', `/v1/conversations/${conv.id}/handover`, { by: 'bot', context: { dept: 'sales' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body.events.map((e: any) => e.type)).toEqual(['handover.rejected']);
    expect(rejected.body.events[0].data).toMatchObject({ reason: 'no_agents_available', team: 'sales' });
    expect(rejected.body.conversation).toMatchObject({ controller: 'bot', controlVersion: 1 });

    await s.call('PUT', '/v1/agents/sam/presence', { presence: 'online' });
    const accepted = await s.call('POST', `/v1/conversations/${conv.id}/handover`, { by: 'bot', context: { dept: 'sales' } });
    expect(accepted.body.events.map((e: any) => e.type)).toEqual(['handover']);
    expect(accepted.body.conversation).toMatchObject({ controller: 'desk', team: 'sales' });
  });

  it('queues anyway under the queue policy, and asynchronous channels never ask', async () => {
    s = await startServer(engine, config('queue'), { apiKey: KEY });
    const chat = (await s.call('POST', '/v1/channels/chat/messages', { customer: 'v2', text: 'hi' })).body.conversation;
    expect((await s.call('POST', `/v1/conversations/${chat.id}/handover`, {})).body.conversation.controller).toBe('desk');
    await s.close();
    s = await startServer(engine, config('keep-bot'), { apiKey: KEY });
    const mail = (await s.call('POST', '/v1/channels/mail/messages', { customer: 'v3', text: 'hi' })).body.conversation;
    expect((await s.call('POST', `/v1/conversations/${mail.id}/handover`, {})).body.conversation.controller).toBe('desk');
  });

  it('gives the conversation back to the bot when nobody takes the handover in time (keep-bot with wait)', async () => {
    const clock = new ManualClock();
    s = await startServer(engine, config('keep-bot', '2m'), { apiKey: KEY, clock });
    await s.call('PUT', '/v1/agents/sam/presence', { presence: 'online' });
    const conv = (await s.call('POST', '/v1/channels/chat/messages', { customer: 'v4', text: 'hi' })).body.conversation;
    await s.call('POST', `/v1/conversations/${conv.id}/handover`, { by: 'bot' });
    clock.advance(60_000);
    expect(await s.baton.router.runDueTimers()).toBe(0);
    clock.advance(61_000);
    expect(await s.baton.router.runDueTimers()).toBe(1);
    const after = (await s.call('GET', `/v1/conversations/${conv.id}`)).body.conversation;
    expect(after.controller).toBe('bot');
    const types = (await s.call('GET', `/v1/conversations/${conv.id}/events`)).body.items.map((e: any) => e.type);
    expect(types.slice(-3)).toEqual(['handover.rejected', 'agent_session.closed', 'handback']);
  });

  it('emergency on sends every conversation, new and existing, to the humans; off restores the bot', async () => {
    s = await startServer(engine, config('queue'), { apiKey: KEY });
    const existing = (await s.call('POST', '/v1/channels/mail/messages', { customer: 'e1', text: 'hi' })).body.conversation;
    const on = await s.call('POST', '/v1/emergency', { on: true });
    expect(on.body).toEqual({ emergency: true, conversations: 1, failed: [] });
    const afterOn = (await s.call('GET', `/v1/conversations/${existing.id}`)).body.conversation;
    expect(afterOn).toMatchObject({ controller: 'desk', controlVersion: 2, emergency: true });
    expect(afterOn.agentSession.reason).toBe('emergency');
    const botReply = await s.call('POST', `/v1/conversations/${existing.id}/replies`, { componentId: 'bot', text: 'still here' });
    expect(botReply.body.error.code).toBe('component_disabled');

    const fresh = await s.call('POST', '/v1/channels/mail/messages', { customer: 'e2', text: 'hi' });
    expect(fresh.body.conversation.controller).toBe('desk');
    expect(fresh.body.events.map((e: any) => e.type)).toEqual(['conversation.opened', 'agent_session.opened', 'message.received']);

    const off = await s.call('POST', '/v1/emergency', { on: false });
    expect(off.body.conversations).toBe(2);
    expect((await s.call('GET', `/v1/conversations/${existing.id}`)).body.conversation).toMatchObject({ controller: 'bot', emergency: false, controlVersion: 3 });
    // A conversation born during the emergency gets its rule's bot back as well.
    expect((await s.call('GET', `/v1/conversations/${fresh.body.conversation.id}`)).body.conversation.controller).toBe('bot');
  });

  /**
   * Two conversations the switch handed over, one still queued and one an agent took, then the
   * switch off with `handBack`: what each bot's endpoint receives, and who holds each after.
   */
  async function switchOff(handBack: 'tell_bots' | 'quietly' | 'keep_with_agents' | undefined) {
    const [bot, desk] = await Promise.all([startReceiver(), startReceiver()]);
    receivers.push(bot, desk);
    s = await startServer(engine, config('queue', undefined, { bot, desk }), { apiKey: KEY });
    const server = s;
    const queued = (await server.call('POST', '/v1/channels/mail/messages', { customer: 'q1', text: 'hi' })).body.conversation.id as string;
    const taken = (await server.call('POST', '/v1/channels/mail/messages', { customer: 't1', text: 'hi' })).body.conversation.id as string;
    expect((await server.call('POST', '/v1/emergency', { on: true })).body.conversations).toBe(2);
    expect((await server.call('POST', `/v1/conversations/${taken}/assign`, { agentId: 'sam' })).status).toBe(200);
    await server.baton.dispatcher.drain();
    const seen = { bot: bot.received.length, desk: desk.received.length };
    const off = await server.call('POST', '/v1/emergency', { on: false, ...(handBack ? { handBack } : {}) });
    expect(off.status).toBe(200);
    await server.baton.dispatcher.drain();
    // What each endpoint received from the switch, by conversation.
    const from = (r: Receiver, first: number, id: string) => r.received.slice(first).filter((x) => x.json.conversationId === id).map((x) => x.json);
    const botHeard = { queued: from(bot, seen.bot, queued).map((e) => e.type), taken: from(bot, seen.bot, taken).map((e) => e.type) };
    const deskHeard = { queued: from(desk, seen.desk, queued), taken: from(desk, seen.desk, taken) };
    // The customers write again; that their messages arrive after is the sign every delivery of the switch was made.
    for (const customer of ['q1', 't1']) await server.call('POST', '/v1/channels/mail/messages', { customer, text: 'still there?' });
    await server.baton.dispatcher.drain();
    const forReply = (id: string) => [bot, desk].map((r) => r.received.filter((x) => x.json.conversationId === id && x.json.type === 'message.received').at(-1)?.json.forReply);
    const now = async (id: string) => (await server.call('GET', `/v1/conversations/${id}`)).body.conversation;
    return {
      off: off.body,
      botHeard,
      deskHeard: { queued: deskHeard.queued.map((e) => `${e.type}${e.data.quiet ? ' (quiet)' : ''}`), taken: deskHeard.taken.map((e) => `${e.type}${e.data.quiet ? ' (quiet)' : ''}`) },
      now: { queued: await now(queued), taken: await now(taken) },
      // [to the bot, to the desk] of each customer's next message
      nextMessageForReply: { queued: forReply(queued), taken: forReply(taken) },
    };
  }

  it('switching off tells the bots by default, and hands back what an agent took too', async () => {
    const r = await switchOff(undefined);
    expect(r.off).toEqual({ emergency: false, handBack: 'tell_bots', conversations: 2, handedBack: 2, keptWithAgents: 0, failed: [] });
    expect(r.botHeard).toEqual({ queued: ['agent_session.closed', 'handback'], taken: ['agent_session.closed', 'handback'] });
    expect(r.deskHeard).toEqual({ queued: ['agent_session.closed', 'handback'], taken: ['agent_session.closed', 'handback'] });
    expect([r.now.queued.controller, r.now.taken.controller]).toEqual(['bot', 'bot']);
    expect(r.nextMessageForReply).toEqual({ queued: [true, false], taken: [true, false] });
  });

  it('switching off quietly gives the queued ones back without a word to the bot, and leaves the taken one with its agent', async () => {
    const r = await switchOff('quietly');
    expect(r.off).toEqual({ emergency: false, handBack: 'quietly', conversations: 2, handedBack: 1, keptWithAgents: 1, failed: [] });
    expect(r.botHeard).toEqual({ queued: [], taken: [] });
    // The desk sees each change, marked quiet.
    expect(r.deskHeard).toEqual({ queued: ['agent_session.closed (quiet)', 'handback (quiet)'], taken: ['control.mutated (quiet)'] });
    expect(r.now.queued).toMatchObject({ controller: 'bot', emergency: false });
    expect(r.now.taken).toMatchObject({ controller: 'desk', emergency: false, agentSession: { agentId: 'sam', status: 'assigned' } });
    // The bot speaks when the customer next writes: the message reaches it for reply.
    expect(r.nextMessageForReply).toEqual({ queued: [true, false], taken: [false, true] });
  });

  it('switching off can leave every conversation with the humans; the bot is told only when an agent hands one back', async () => {
    const r = await switchOff('keep_with_agents');
    expect(r.off).toEqual({ emergency: false, handBack: 'keep_with_agents', conversations: 2, handedBack: 0, keptWithAgents: 2, failed: [] });
    expect(r.botHeard).toEqual({ queued: [], taken: [] });
    expect(r.deskHeard).toEqual({ queued: ['control.mutated (quiet)'], taken: ['control.mutated (quiet)'] });
    expect(r.now.queued).toMatchObject({ controller: 'desk', emergency: false, agentSession: { status: 'queued' } });
    expect(r.now.taken).toMatchObject({ controller: 'desk', emergency: false, agentSession: { agentId: 'sam' } });
    expect(r.nextMessageForReply).toEqual({ queued: [false, true], taken: [false, true] });
    const back = await s!.call('POST', `/v1/conversations/${r.now.queued.id}/handback`, { by: 'desk' });
    expect(back.body.conversation.controller).toBe('bot');
    expect(back.body.events.find((e: any) => e.type === 'handback').data.quiet).toBeUndefined();
  });

  it('refuses an unknown choice, and a choice when switching on, changing nothing', async () => {
    s = await startServer(engine, config('queue'), { apiKey: KEY });
    for (const body of [{ on: false, handBack: 'politely' }, { on: true, handBack: 'quietly' }]) {
      const res = await s.call('POST', '/v1/emergency', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await s.baton.queries.account('ops')).emergency).toBe(false);
    expect((await s.call('GET', '/v1/audit')).body.items.filter((e: any) => e.action.startsWith('emergency'))).toEqual([]);
  });
});
