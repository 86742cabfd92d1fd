import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'failover-key-000000000001';

function config(bot: Receiver, desk: Receiver, botFailover?: Record<string, unknown>) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'web', kind: 'native' }],
      components: [
        { id: 'bot', kind: 'bot', url: `${bot.url}/bot`, secrets: { webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
        { id: 'desk', kind: 'desk', url: `${desk.url}/desk` },
      ],
      services: [{ id: 'main', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] }],
      defaultDesk: 'desk',
      ...(botFailover ? { botFailover } : {}),
    }],
  };
}

/** A bot that cannot take a customer message does not leave the customer waiting in silence. */
describe.each(['sqlite', 'postgres'] as const)('bot failover on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function setup(botFailover?: Record<string, unknown>) {
    const [bot, desk] = await Promise.all([startReceiver(), startReceiver()]);
    receivers.push(bot, desk);
    const clock = new ManualClock(new Date());
    s = await startServer(engine, config(bot, desk, botFailover), { clock, apiKey: KEY });
    return { bot, desk, clock, s };
  }

  const events = async (srv: TestServer, id: string) => (await srv.call('GET', `/v1/conversations/${id}/events`)).body.items as { type: string; data: Record<string, unknown> }[];

  it('hands the conversation to the humans when the bot has not taken the message in time, and tells the bot when it is back', async () => {
    const { bot, desk, clock, s } = await setup({ after: '30s' });
    bot.setDown(true);
    const id = (await s.call('POST', '/v1/channels/web/messages', { customer: 'c1', text: 'my order is late' })).body.conversation.id as string;
    await s.baton.dispatcher.drain();
    clock.advance(5_000);
    await s.baton.dispatcher.drain();
    expect(await s.baton.router.runDueTimers()).toBe(0);
    expect((await s.call('GET', `/v1/conversations/${id}`)).body.conversation.controller).toBe('bot');
    // The deadline: the customer has waited 30 s and the bot never took the message.
    clock.advance(25_000);
    expect(await s.baton.router.runDueTimers()).toBe(1);
    await s.baton.dispatcher.drain();
    const conv = (await s.call('GET', `/v1/conversations/${id}`)).body.conversation;
    expect(conv.controller).toBe('desk');
    const handover = (await events(s, id)).find((e) => e.type === 'handover');
    expect(handover?.data).toMatchObject({ reason: 'bot_unavailable', note: expect.stringContaining('could not be reached') });
    expect(desk.received.map((r) => r.json.type)).toContain('handover');
    const audit = (await s.call('GET', '/v1/audit')).body.items.find((e: any) => e.action === 'bot_failover');
    expect(audit).toMatchObject({ actor: 'system', subject: id });

    // The bot comes back: at its next retry it hears what it missed, in order, and the handover.
    bot.setDown(false);
    clock.advance(60 * 60_000);
    await s.baton.dispatcher.drain();
    const heard = bot.received.filter((r) => r.json).map((r) => r.json.type);
    expect(heard.slice(-2)).toEqual(['message.received', 'handover']);
    // New conversations go to the bot again; the one handed over stays with the humans.
    const next = (await s.call('POST', '/v1/channels/web/messages', { customer: 'c2', text: 'hello' })).body.conversation;
    expect(next.controller).toBe('bot');
    expect((await s.call('GET', `/v1/conversations/${id}`)).body.conversation.controller).toBe('desk');
  });

  it('only records that the bot is unavailable under notify, and does nothing under wait', async () => {
    for (const policy of ['notify', 'wait'] as const) {
      const { bot, clock } = await setup({ policy, after: '10s' });
      const srv = s!;
      bot.setDown(true);
      const id = (await srv.call('POST', '/v1/channels/web/messages', { customer: 'c1', text: 'hi' })).body.conversation.id as string;
      await srv.baton.dispatcher.drain();
      clock.advance(10_000);
      await srv.baton.router.runDueTimers();
      await srv.baton.dispatcher.drain();
      const types = (await events(srv, id)).map((e) => e.type);
      expect((await srv.call('GET', `/v1/conversations/${id}`)).body.conversation.controller).toBe('bot');
      expect(types.filter((t) => t === 'bot.unavailable')).toHaveLength(policy === 'notify' ? 1 : 0);
      await srv.close();
      s = undefined;
    }
  });
});

describe.each(['sqlite', 'postgres'] as const)('bot failover when the circuit breaks, on %s', (engine) => {
  let s: TestServer | undefined;
  let bot: Receiver | undefined;
  afterEach(async () => {
    await s?.close();
    await bot?.close();
  });

  it('hands over at once when the bot answers 410 (its endpoint is gone)', async () => {
    bot = await startReceiver(() => ({ status: 410 }));
    const desk = await startReceiver();
    s = await startServer(engine, config(bot, desk), { clock: new ManualClock(new Date()), apiKey: KEY });
    const gone = (await s.call('POST', '/v1/channels/web/messages', { customer: 'c1', text: 'hi' })).body.conversation.id as string;
    await s.baton.dispatcher.drain();
    expect((await s.call('GET', `/v1/conversations/${gone}`)).body.conversation.controller).toBe('desk');
    await desk.close();
  });
});
