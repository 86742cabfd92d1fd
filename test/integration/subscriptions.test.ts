import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/core/clock.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'subs-key-000000000000001';

function config(bot: Receiver, desk: Receiver, channel: Receiver, events?: string[]) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'web', kind: 'native', outboundUrl: `${channel.url}/outbound` }],
      components: [
        { id: 'bot', kind: 'bot', url: `${bot.url}/bot`, secrets: { webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, ...(events ? { events } : {}) },
        { id: 'desk', kind: 'desk', url: `${desk.url}/desk` },
      ],
      services: [{ id: 'main', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] }],
      defaultDesk: 'desk',
    }],
  };
}

/**
 * A component's `events:` says which event types it receives; nothing else is written for it.
 * Without `events:` it receives every event, as before.
 */
describe.each(['sqlite', 'postgres'] as const)('event subscriptions on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function run(events?: string[]) {
    const [bot, desk, channel] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
    receivers.push(bot, desk, channel);
    s = await startServer(engine, config(bot, desk, channel, events), { clock: new ManualClock(new Date()), apiKey: KEY });
    const first = await s.call('POST', '/v1/channels/web/messages', { customer: 'c1', text: 'hello' });
    const conv = first.body.conversation.id as string;
    await s.baton.dispatcher.drain();
    const sent = await s.call('POST', `/v1/conversations/${conv}/replies`, { componentId: 'bot', text: 'Hi there', expectedVersion: 1 });
    expect(sent.status).toBe(201);
    await s.baton.dispatcher.drain();
    const handed = await s.call('POST', `/v1/conversations/${conv}/handover`, { by: 'bot', note: 'needs a person' });
    expect(handed.status).toBe(200);
    await s.baton.dispatcher.drain();
    // Delivery receipts come from the channel's answer, after the reply went out.
    await s.baton.dispatcher.drain();
    const written = await s.baton.store.kysely.selectFrom('deliveries').select(['event_type', 'target_id']).where('target_id', '=', 'bot').orderBy('seq').execute();
    const log = await s.baton.store.kysely.selectFrom('events').select('type').where('conversation_id', '=', conv).orderBy('seq').execute();
    return { bot: bot.received.map((r) => r.json.type as string), desk: desk.received.map((r) => r.json.type as string), channel: channel.received.map((r) => r.json.type as string), written: written.map((w) => w.event_type), log: log.map((e) => e.type) };
  }

  it('sends a component only the event types it names, and writes nothing it did not ask for', async () => {
    const got = await run(['message.received', 'handover']);
    expect(got.bot).toEqual(['message.received', 'handover']);
    expect(got.written).toEqual(['message.received', 'handover']);
    // Other recipients are not affected: the desk hears everything, the customer gets the answer.
    expect(got.desk).toContain('message.received');
    expect(got.desk).toContain('handover');
    expect(got.channel).toEqual(['message.sent']);
    // The bot's answer reached the channel, but the bot does not hear receipts: none is recorded.
    expect(got.log).toContain('message.sent');
    expect(got.log).not.toContain('message.status');
  });

  it('takes families (conversation.*) and, without events:, sends every event as before', async () => {
    const family = await run(['conversation.*', 'message.*']);
    expect(family.bot).toEqual(['conversation.opened', 'message.received', 'message.status']);
    expect(family.log).toContain('message.status');
    await s!.close();
    s = undefined;
    const all = await run();
    expect(all.bot).toEqual(expect.arrayContaining(['conversation.opened', 'bot_session.opened', 'message.received', 'message.status', 'handover']));
  });

  it('refuses a pattern that names no event type, with its path', () => {
    const bad = { accounts: [{ id: 'acme', components: [{ id: 'bot', kind: 'bot', events: ['message.recieved'] }] }] };
    expect(() => validateConfig(bad)).toThrow(/accounts\[0\]\.components\[0\]\.events\[0\]: "message.recieved" names no event type/);
  });
});
