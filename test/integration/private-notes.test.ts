import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'notes-key-00000000000001';

function config(bot: Receiver, channel: Receiver) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'web', kind: 'native', outboundUrl: `${channel.url}/outbound` }],
      components: [
        { id: 'bot', kind: 'bot', url: `${bot.url}/bot`, secrets: { webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
        { id: 'inbox', kind: 'desk', dialect: 'inbox' },
      ],
      services: [{ id: 'main', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'inbox' } }] }],
      agents: [{ id: 'sam', name: 'Sam', password: 'sam-password-1' }],
    }],
  };
}

/** A private note is written for the desk alone: the bot (watching after the handover) and the channel get nothing of it. */
describe.each(['sqlite', 'postgres'] as const)('private notes on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('delivers note.added to the desk only', async () => {
    const [bot, channel] = await Promise.all([startReceiver(), startReceiver()]);
    receivers.push(bot, channel);
    s = await startServer(engine, config(bot, channel), { clock: new ManualClock(new Date()), apiKey: KEY });
    const first = await s.call('POST', '/v1/channels/web/messages', { customer: 'c1', text: 'hello' });
    const conv = first.body.conversation.id as string;
    expect((await s.call('POST', `/v1/conversations/${conv}/handover`, { by: 'bot', note: 'needs a person' })).status).toBe(200);
    await s.baton.router.command('acme', conv, { type: 'add_note', agentId: 'sam', text: 'Reseller: check contract 42' });
    // A reply after the note: once it has reached the channel, the note would have been written before it.
    expect((await s.call('POST', `/v1/conversations/${conv}/replies`, { componentId: 'inbox', text: 'On it' })).status).toBe(201);
    await s.baton.dispatcher.drain();
    await s.baton.dispatcher.drain();

    const written = await s.baton.store.kysely.selectFrom('deliveries').select(['event_type', 'target_id']).where('event_type', '=', 'note.added').execute();
    expect(written).toEqual([{ event_type: 'note.added', target_id: 'inbox' }]);
    expect(bot.received.map((r) => r.json.type)).toContain('handover');
    expect(bot.received.map((r) => r.json.type)).not.toContain('note.added');
    expect(channel.received.length).toBeGreaterThan(0);
    expect(JSON.stringify([...bot.received, ...channel.received].map((r) => r.json))).not.toContain('contract 42');
    // Nor can a bot read it in the event log with the account's key.
    const log = await s.call('GET', `/v1/conversations/${conv}/events?limit=500`);
    expect(log.status).toBe(200);
    expect(JSON.stringify(log.body)).not.toContain('contract 42');
  });
});
