import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { CHANNEL_RETRY_POLICY } from '../../src/delivery/retry-policies.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/waiting.js';

const KEY = 'chanretry-key-000000000001';
const SHORT = { schedule: ['200ms', '200ms'], jitter: 0 };

function config(bot: Receiver, imiBot: Receiver, channel: Receiver) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [
        { id: 'web', kind: 'native', outboundUrl: `${channel.url}/web`, retry: SHORT },
        { id: 'fb', kind: 'native', outboundUrl: `${channel.url}/fb`, imiChannel: 'FB', retry: { ...SHORT, timeout: '2s', onExhausted: 'skip' } },
        { id: 'plain', kind: 'native', outboundUrl: `${channel.url}/plain` },
      ],
      components: [
        { id: 'bot', kind: 'bot', url: `${bot.url}/bot` },
        { id: 'imibot', kind: 'bot', dialect: 'imi', url: `${imiBot.url}/hook`, secrets: { accessToken: 'imi-access-token' }, options: { kind: 'imi-bot' } },
      ],
      services: [{
        id: 's',
        channels: ['web', 'fb', 'plain'],
        rules: [
          { id: 'imi', trigger: { event: 'message', channels: ['fb'] }, action: { type: 'bot', bot: 'imibot' } },
          { id: 'native', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } },
        ],
      }],
    }],
  };
}

/** A channel's own `retry:` decides when the author of an undeliverable answer hears `failed`. */
describe.each(['sqlite', 'postgres'] as const)('channel retry policies on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function setup() {
    const [bot, imiBot, channel] = await Promise.all([startReceiver(), startReceiver(), startReceiver(() => ({ status: 503, body: 'gateway down' }))]);
    receivers.push(bot, imiBot, channel);
    // The real clock and a running dispatcher: the schedule is waited out, not stepped through.
    s = await startServer(engine, config(bot, imiBot, channel), { apiKey: KEY, dispatch: true });
    return { bot, imiBot, channel, s };
  }

  it('tells a native bot its answer failed once the channel\'s short schedule ran out: three attempts, then failed', async () => {
    const { bot, channel, s } = await setup();
    const first = await s.call('POST', '/v1/channels/web/messages', { customer: 'c1', text: 'hi' });
    const started = Date.now();
    const sent = await s.call('POST', `/v1/conversations/${first.body.conversation.id}/replies`, { componentId: 'bot', text: 'Hello!' });
    expect(sent.status).toBe(201);
    const status = await until('message.status failed at the bot', () => bot.received.find((r) => r.json?.type === 'message.status'), 10_000);
    expect(status.json.data).toMatchObject({ messageId: sent.body.message.id, status: 'failed' });
    expect(status.json.data.description).toContain('gateway down');
    // The first attempt and the two retries of the schedule, no more, and not sooner than its 400 ms.
    expect(channel.received.filter((r) => r.path === '/web')).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    const deliveries = await s.call('GET', '/v1/deliveries?targetId=web');
    expect(deliveries.body.items.find((d: any) => d.eventType === 'message.sent')).toMatchObject({ state: 'failed', attempts: 3 });
  });

  it('tells an IMI bot Message Delivery Failed after the channel\'s schedule, and shows each channel\'s policy in the listing', async () => {
    const { imiBot, channel, s } = await setup();
    const first = await s.call('POST', '/v1/channels/fb/messages', { customer: '+919800000001', text: 'hello' });
    const botSessionId = first.body.conversation.botSession.id as string;
    const webhook = (await s.call('GET', '/v1/components')).body.items.find((c: any) => c.id === 'imibot').inboundUrl as string;
    const res = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Conversationid: botSessionId, Message: 'Sure, which plan?', MessageType: 'text' }) });
    expect(res.status).toBe(200);
    const reply = (await res.json()) as { Messageid: string };
    const failed = await until('Message Delivery Failed at the IMI bot', () => imiBot.received.find((r) => r.json?.Event === 'Message Delivery'), 10_000);
    expect(failed.json).toMatchObject({ Conversationid: botSessionId, Messageid: reply.Messageid, Channel: 'FB', Event: 'Message Delivery', DeliveryStatus: 'Failed' });
    expect(failed.json.Description).toContain('gateway down');
    expect(channel.received.filter((r) => r.path === '/fb')).toHaveLength(3);

    const channels = (await s.call('GET', '/v1/channels')).body.items as { id: string; retry: unknown }[];
    expect(Object.fromEntries(channels.map((c) => [c.id, c.retry]))).toEqual({
      web: { ...CHANNEL_RETRY_POLICY, schedule: [200, 200], jitter: 0 },
      fb: { ...CHANNEL_RETRY_POLICY, schedule: [200, 200], jitter: 0, timeoutMs: 2000, onExhausted: 'skip' },
      plain: CHANNEL_RETRY_POLICY,
    });
  });
});

describe('a channel\'s retry: in baton.yaml', () => {
  const account = (retry: unknown) => ({ accounts: [{ id: 'acme', channels: [{ id: 'web', kind: 'native', retry }] }] });
  const problems = (retry: unknown): string[] => {
    try {
      validateConfig(account(retry));
      return [];
    } catch (err) {
      return (err as { details: { problems: string[] } }).details.problems;
    }
  };

  it('takes the components\' keys and keeps the channel default for what it leaves out', () => {
    const channel = validateConfig(account({ schedule: ['1s', 500, '2m'], timeout: '3s' })).accounts[0]!.channels[0]!;
    expect(channel.retry).toEqual({ schedule: [1000, 500, 120_000], timeoutMs: 3000, breakAfter: 0, jitter: CHANNEL_RETRY_POLICY.jitter, onExhausted: 'block' });
  });

  it('refuses what a channel cannot do or what is malformed, each by its path', () => {
    expect(problems({ breakAfter: 3 })).toEqual([expect.stringMatching(/^accounts\[0\]\.channels\[0\]\.retry\.breakAfter: a channel has no circuit to break/)]);
    expect(problems({ timeout: 0 })).toEqual([expect.stringMatching(/^accounts\[0\]\.channels\[0\]\.retry\.timeout: must be longer than 0/)]);
    expect(problems({ schedule: ['soon'] })).toEqual([expect.stringMatching(/^accounts\[0\]\.channels\[0\]\.retry\.schedule\[0\]: /)]);
    expect(problems({ onExhausted: 'drop' })).toEqual([expect.stringMatching(/^accounts\[0\]\.channels\[0\]\.retry\.onExhausted: must be one of "block", "skip"/)]);
    expect(problems({ retries: 2 })).toEqual(['accounts[0].channels[0].retry.retries: is not a known key']);
  });
});
