import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'ops-key-00000000000000001';

function config(policy: 'queue' | 'keep-bot', wait?: string) {
  return {
    accounts: [{
      id: 'ops',
      apiKeys: [KEY],
      availability: { policy, ...(wait ? { wait } : {}) },
      teams: [{ id: 'sales', values: ['sales'] }],
      channels: [{ id: 'chat', kind: 'webchat' }, { id: 'mail', kind: 'native' }],
      components: [{ id: 'bot', kind: 'bot' }, { id: 'desk', kind: 'desk' }],
      services: [{ id: 'main', channels: ['chat', 'mail'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot', desk: 'desk' } }] }],
      defaultDesk: 'desk',
      agents: [{ id: 'sam', teams: ['sales'] }],
    }],
  };
}

describe.each(['sqlite', 'postgres'] as const)('availability and the emergency switch on %s', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
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
});
