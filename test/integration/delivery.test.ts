import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'deliv-key-00000000000001';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = 'whsec_dGhpcyBpcyB0aGUgb2xkIHNlY3JldCAxMjM0';
const MIN = 60_000;

function config(bot: Receiver, channel: Receiver, retry: Record<string, unknown> = {}, secrets: Record<string, string> = { webhookSecret: SECRET }) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'web', kind: 'native', outboundUrl: `${channel.url}/outbound` }],
      components: [
        { id: 'bot', kind: 'bot', url: `${bot.url}/bot`, secrets, retry: { timeout: '2s', ...retry } },
        { id: 'desk', kind: 'desk', dialect: 'native' },
      ],
      services: [{ id: 'main', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }],
      defaultDesk: 'desk',
    }],
  };
}

const IMI_LIKE = { schedule: ['1m', '5m', '15m', '39m'], timeout: '5s', breakAfter: 5, jitter: 0, onExhausted: 'skip' };

describe.each(['sqlite', 'postgres'] as const)('delivery through the outbox on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function setup(retry: Record<string, unknown> = {}, secrets?: Record<string, string>) {
    const bot = await startReceiver();
    const channel = await startReceiver();
    receivers.push(bot, channel);
    // Real time as the start, so signatures are fresh for the verifier; from then on tests move it.
    const clock = new ManualClock(new Date());
    s = await startServer(engine, config(bot, channel, retry, secrets), { clock, apiKey: KEY });
    return { bot, channel, clock, s };
  }

  const say = (srv: TestServer, customer: string, text: string) => srv.call('POST', '/v1/channels/web/messages', { customer, text });

  it('sends each event to the bot, signed per Standard Webhooks, and bot replies to the channel', async () => {
    const { bot, channel, s } = await setup();
    const first = await say(s, 'c1', 'hello');
    expect(bot.received).toHaveLength(0); // nothing is sent from the request handler
    await s.baton.dispatcher.drain();
    const types = bot.received.map((r) => r.json.type);
    expect(types).toEqual(['conversation.opened', 'bot_session.opened', 'message.received']);
    const msg = bot.received[2]!;
    const wh = new Webhook(SECRET);
    expect(wh.verify(msg.body, msg.headers as Record<string, string>)).toMatchObject({ type: 'message.received', forReply: true, seq: 3 });
    expect(msg.json).toMatchObject({ conversationId: first.body.conversation.id, message: { content: { type: 'text', text: 'hello' }, author: { kind: 'customer', id: 'c1' } }, data: { controlVersion: 1 } });
    expect(msg.headers['webhook-id']).toBe(msg.json.id);

    await s.call('POST', `/v1/conversations/${first.body.conversation.id}/replies`, { componentId: 'bot', text: 'Hi there', expectedVersion: 1 });
    await s.baton.dispatcher.drain();
    expect(channel.received.map((r) => [r.path, r.json.type, r.json.message.content.text])).toEqual([['/outbound', 'message.sent', 'Hi there']]);
  });

  it('rejects a tampered body and a stale timestamp, and verifies with either key during a rotation', async () => {
    const { bot, s } = await setup({}, { webhookSecret: SECRET, webhookSecretPrevious: OLD_SECRET });
    await say(s, 'c1', 'hello');
    await s.baton.dispatcher.drain();
    const r = bot.received[2]!;
    const headers = r.headers as Record<string, string>;
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(SECRET).verify(r.body, headers)).toBeTruthy();
    expect(new Webhook(OLD_SECRET).verify(r.body, headers)).toBeTruthy();
    expect(() => new Webhook(SECRET).verify(r.body.replace('hello', 'hellO'), headers)).toThrow();
    // An hour-old timestamp is outside the verifier's tolerance.
    const stale = { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 3600) };
    expect(() => new Webhook(SECRET).verify(r.body, stale)).toThrow();
  });

  it('holds a conversation back behind its failing message while other conversations flow', async () => {
    const { bot, clock, s } = await setup({ schedule: ['10s', '10s', '10s'], jitter: 0, onExhausted: 'block' });
    let failuresLeft = 2;
    bot.behave((r) => {
      if (r.json.data?.messageId && r.json.message?.content.text === 'a-3' && failuresLeft > 0) {
        failuresLeft--;
        return { status: 500, body: 'boom' };
      }
      return { status: 200 };
    });
    for (const i of [1, 2, 3, 4, 5]) await say(s, 'A', `a-${i}`);
    await say(s, 'B', 'b-1');
    await s.baton.dispatcher.drain();
    const texts = (customer: string) => bot.received.filter((r) => r.json.type === 'message.received' && r.json.customer === customer).map((r) => r.json.message.content.text);
    expect(texts('A')).toEqual(['a-1', 'a-2', 'a-3']);
    expect(texts('B')).toEqual(['b-1']);
    await say(s, 'B', 'b-2');
    await s.baton.dispatcher.drain();
    expect(texts('B')).toEqual(['b-1', 'b-2']);
    expect(texts('A')).toEqual(['a-1', 'a-2', 'a-3']);
    clock.advance(10_000);
    await s.baton.dispatcher.drain();
    expect(texts('A')).toEqual(['a-1', 'a-2', 'a-3', 'a-3']);
    clock.advance(10_000);
    await s.baton.dispatcher.drain();
    expect(texts('A')).toEqual(['a-1', 'a-2', 'a-3', 'a-3', 'a-3', 'a-4', 'a-5']);
    // every attempt of the same delivery carried the same webhook-id
    const ids = bot.received.filter((r) => r.json.message?.content.text === 'a-3').map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
  });

  it('retries on the IMI schedule, goes inactive after the 5th consecutive failure, and drains in order after re-verification', async () => {
    const { bot, clock, s } = await setup(IMI_LIKE);
    const start = clock.now().getTime();
    const attemptsAt: number[] = [];
    let up = false;
    bot.behave((r) => {
      if (r.json.type === 'verification') return { status: 200, body: JSON.stringify({ challenge: r.json.challenge }) };
      if (!up) {
        attemptsAt.push(clock.now().getTime() - start);
        return { status: 503 };
      }
      return { status: 200 };
    });
    await say(s, 'A', 'first');
    const steps = [0, 1, 5, 15, 39];
    for (const step of steps) {
      clock.advance(step * MIN);
      await s.baton.dispatcher.drain();
    }
    expect(attemptsAt).toEqual([0, 1, 6, 21, 60].map((m) => m * MIN));
    const health = (await s.call('GET', '/v1/components/bot/health')).body.health;
    expect(health).toMatchObject({ state: 'inactive', consecutiveFailures: 5, backlog: 3 });
    expect(health.lastError).toContain('503');

    // while inactive nothing is sent, whatever arrives
    await say(s, 'A', 'second');
    await say(s, 'B', 'other');
    clock.advance(24 * 60 * MIN);
    await s.baton.dispatcher.drain();
    expect(attemptsAt).toHaveLength(5);

    // a failed verification changes nothing; a passing one releases the backlog in order
    bot.behave((r) => (r.json.type === 'verification' ? { status: 200, body: '{}' } : { status: 200 }));
    const failed = await s.call('POST', '/v1/components/bot/verify');
    expect(failed.status).toBe(409);
    expect(failed.body.error.code).toBe('verification_failed');
    up = true;
    bot.behave((r) => (r.json.type === 'verification' ? { status: 200, body: JSON.stringify({ challenge: r.json.challenge }) } : { status: 200 }));
    const before = bot.received.length;
    const verified = await s.call('POST', '/v1/components/bot/verify');
    expect(verified.status).toBe(200);
    expect(verified.body.health.state).toBe('active');
    await s.baton.dispatcher.drain();
    const after = bot.received.slice(before + 1).map((r) => `${r.json.customer}:${r.json.type}:${r.json.message?.content.text ?? ''}`);
    expect(after.filter((x) => x.startsWith('A:'))).toEqual(['A:conversation.opened:', 'A:bot_session.opened:', 'A:message.received:first', 'A:message.received:second']);
    expect(after.filter((x) => x.startsWith('B:'))).toEqual(['B:conversation.opened:', 'B:bot_session.opened:', 'B:message.received:other']);
    expect((await s.call('GET', '/v1/components/bot/health')).body.health).toMatchObject({ state: 'active', backlog: 0, consecutiveFailures: 0 });
  });

  it('skips or blocks when retries run out, keeps every attempt, and replays failed deliveries', async () => {
    const { bot, clock, s } = await setup({ schedule: ['1s'], jitter: 0, onExhausted: 'skip' });
    bot.behave((r) => (r.json.message?.content.text === 'bad' ? { status: 500, body: 'nope' } : { status: 200 }));
    const conv = (await say(s, 'A', 'bad')).body.conversation;
    await say(s, 'A', 'good');
    await s.baton.dispatcher.drain();
    clock.advance(1000);
    await s.baton.dispatcher.drain();
    const texts = bot.received.filter((r) => r.json.type === 'message.received').map((r) => r.json.message.content.text);
    expect(texts).toEqual(['bad', 'bad', 'good']);
    const failed = (await s.call('GET', '/v1/deliveries?state=failed')).body.items;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ conversationId: conv.id, attempts: 2, target: { kind: 'component', id: 'bot' } });
    const detail = (await s.call('GET', `/v1/deliveries/${failed[0].id}`)).body.delivery;
    expect(detail.attemptLog.map((a: any) => [a.attempt, a.outcome, a.statusCode])).toEqual([[1, 'failed', 500], [2, 'failed', 500]]);
    expect(detail.attemptLog[0].error).toContain('nope');

    bot.behave(() => ({ status: 200 }));
    const replay = await s.call('POST', `/v1/deliveries/${failed[0].id}/replay`);
    expect(replay.body.replayed).toBe(1);
    await s.baton.dispatcher.drain();
    expect(bot.received.at(-1)!.json.message.content.text).toBe('bad');
    expect((await s.call('GET', `/v1/deliveries/${failed[0].id}`)).body.delivery.state).toBe('delivered');
    const again = await s.call('POST', `/v1/deliveries/${failed[0].id}/replay`);
    expect(again.status).toBe(409);
  });

  it('treats 3xx as failure, honours Retry-After, and disables the endpoint on 410', async () => {
    const { bot, clock, s } = await setup({ schedule: ['1s', '1s', '1s'], jitter: 0 });
    const answers: { status: number; headers?: Record<string, string> }[] = [{ status: 302, headers: { location: 'http://elsewhere' } }, { status: 429, headers: { 'retry-after': '120' } }, { status: 410 }];
    bot.behave(() => answers.shift() ?? { status: 200 });
    await say(s, 'A', 'x');
    await s.baton.dispatcher.drain();
    clock.advance(1000);
    await s.baton.dispatcher.drain();
    clock.advance(60_000);
    await s.baton.dispatcher.drain();
    expect(bot.received).toHaveLength(2); // Retry-After: 120 s, not the 1 s schedule
    clock.advance(60_000);
    await s.baton.dispatcher.drain();
    expect(bot.received).toHaveLength(3);
    const health = (await s.call('GET', '/v1/components/bot/health')).body.health;
    expect(health.state).toBe('inactive');
    const log = (await s.call('GET', `/v1/deliveries/${bot.received[0]!.json.id}`)).body.delivery.attemptLog;
    expect(log.map((a: any) => a.statusCode)).toEqual([302, 429, 410]);
    expect(log[0].error).toContain('redirects are not followed');
  });

  it('reports backlog and outcomes on /metrics', async () => {
    const { s } = await setup();
    await say(s, 'A', 'x');
    const before = await fetch(`${s.url}/metrics`).then((r) => r.text());
    expect(before).toMatch(/baton_delivery_backlog\{account="acme",target_kind="component",target="bot"\} 3/);
    await s.baton.dispatcher.drain();
    const after = await fetch(`${s.url}/metrics`).then((r) => r.text());
    expect(after).toMatch(/baton_delivery_attempts_total\{outcome="delivered"\} 3/);
    expect(after).toContain('baton_components_inactive 0');
  });
});
