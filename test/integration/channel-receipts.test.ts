import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'receipts-key-0000000000001';

function config(bot: Receiver, channel: Receiver) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'web', kind: 'native', outboundUrl: `${channel.url}/out` }],
      components: [{ id: 'bot', kind: 'bot', url: `${bot.url}/bot`, secrets: { webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } }],
      services: [{ id: 's', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }],
    }],
  };
}

/** A channel says what became of a message on its side; the component that sent it hears it at once. */
describe.each(['sqlite', 'postgres'] as const)('channel receipts on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('passes delivered, read and failed to the bot that sent the message, in order, and refuses receipts for a customer\'s message', async () => {
    const [bot, channel] = await Promise.all([startReceiver(), startReceiver()]);
    receivers.push(bot, channel);
    s = await startServer(engine, config(bot, channel), { clock: new ManualClock(new Date()), apiKey: KEY });
    const first = await s.call('POST', '/v1/channels/web/messages', { customer: 'c1', text: 'hi' });
    const conv = first.body.conversation.id as string;
    const sent = await s.call('POST', `/v1/conversations/${conv}/replies`, { componentId: 'bot', text: 'Hello!' });
    const messageId = sent.body.message.id as string;
    await s.baton.dispatcher.drain();
    for (const status of ['read', 'failed'] as const) {
      const r = await s.call('POST', `/v1/messages/${messageId}/status`, { status, ...(status === 'failed' ? { description: 'handset unreachable' } : {}) });
      expect(r.status).toBe(200);
      expect(r.body.events.map((e: { type: string }) => e.type)).toEqual(['message.status']);
    }
    await s.baton.dispatcher.drain();
    const statuses = bot.received.filter((x) => x.json?.type === 'message.status').map((x) => [x.json.data.messageId, x.json.data.status, x.json.data.description]);
    // The channel's own delivery (its 2xx) is the first receipt; the channel's reports follow.
    expect(statuses).toEqual([[messageId, 'delivered', null], [messageId, 'read', null], [messageId, 'failed', 'handset unreachable']]);
    const customers = await s.call('POST', `/v1/messages/${first.body.message.id}/status`, { status: 'read' });
    expect(customers.status).toBe(409);
    expect((await s.call('POST', '/v1/messages/no-such-message/status', { status: 'read' })).status).toBe(404);
  });
});
