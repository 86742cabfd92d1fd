import { afterEach, describe, expect, it } from 'vitest';
import { type BatonHome, batonHome, callBaton, waitUntil } from '../helpers/child-baton.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

const KEY = 'slow-key-00000000000000001';
const CONVERSATIONS = 20;
const MESSAGES = 10;
const TIMEOUT_MS = 1000;
const SLOW_ANSWER_MS = 3000;
/** How far the healthy endpoint's latency (median and p99) may grow next to a slow one: 2x, plus this much. */
const SLACK_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two services on two channels, each with its own bot on its own receiver. */
function config(fast: Receiver, slow: Receiver) {
  // No circuit breaker and short retries: the slow bot keeps being tried all through the run,
  // which is the worst case for its neighbour.
  const retry = { schedule: Array.from({ length: 30 }, () => '250ms'), timeout: `${TIMEOUT_MS}ms`, jitter: 0, breakAfter: 0, onExhausted: 'block' };
  // The healthy bot gets time to spare, so a busy machine does not turn its answers into retries.
  const patient = { ...retry, timeout: '10s' };
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'fast', kind: 'native' }, { id: 'slow', kind: 'native' }],
      components: [
        { id: 'fastbot', kind: 'bot', url: `${fast.url}/bot`, retry: patient },
        { id: 'slowbot', kind: 'bot', url: `${slow.url}/bot`, retry },
      ],
      services: [
        { id: 'fast', channels: ['fast'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'fastbot' } }] },
        { id: 'slow', channels: ['slow'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'slowbot' } }] },
      ],
    }],
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

describe('a slow endpoint does not hold up a healthy one (SQLite is enough: isolation is the dispatcher\'s, not the engine\'s)', () => {
  const homes: BatonHome[] = [];
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(homes.splice(0).map((h) => h.dispose()));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  /**
   * The same load on both channels, paced like live chats; returns the healthy bot's delivery
   * latencies: from just before a message is posted to its arrival at the healthy receiver.
   */
  async function run(slowAnswersAfterMs: number): Promise<{ latencies: number[]; slowAttempts: number }> {
    const fast = await startReceiver();
    const slow = await startReceiver(() => ({ status: 200, delayMs: slowAnswersAfterMs }));
    receivers.push(fast, slow);
    const home = batonHome('sqlite', config(fast, slow), { BATON_DELIVERY_POLL_MS: '100' });
    homes.push(home);
    const baton = await home.start();
    const post = (channel: string, customer: string, text: string) => callBaton(baton.url, KEY, 'POST', `/v1/channels/${channel}/messages`, { customer, text });

    // Warm-up on the healthy channel only, so neither run pays for the child's first requests.
    for (let c = 0; c < 5; c++) expect((await post('fast', `warm-${c}`, 'warm')).status).toBe(201);
    await waitUntil(() => fast.received.length >= 15, 10_000, () => `${fast.received.length} warm-up webhooks`);

    const postedAt = new Map<string, number>();
    const chat = async (channel: string, c: number) => {
      await sleep(c * 40); // chats open one by one, as they would, not all in the same instant
      for (let i = 0; i < MESSAGES; i++) {
        await sleep(80 + Math.floor(Math.random() * 80));
        const text = `${channel}-${c}/${i}`;
        postedAt.set(text, Date.now());
        expect((await post(channel, `${channel}-${c}`, text)).status).toBe(201);
      }
    };
    await Promise.all(['fast', 'slow'].flatMap((channel) => Array.from({ length: CONVERSATIONS }, (_, c) => chat(channel, c))));
    // The first arrival of each healthy message; a redelivery, should there be one, is not a new message.
    const arrivals = () => {
      const seen = new Set<string>();
      return fast.received.filter((r) => {
        if (r.json.type !== 'message.received' || !String(r.json.message.content.text).startsWith('fast-') || seen.has(r.json.id)) return false;
        seen.add(r.json.id);
        return true;
      });
    };
    await waitUntil(() => arrivals().length >= CONVERSATIONS * MESSAGES, 20_000, () => `${arrivals().length} of ${CONVERSATIONS * MESSAGES} healthy deliveries`);
    const latencies = arrivals().map((r) => r.at - postedAt.get(r.json.message.content.text)!);
    return { latencies, slowAttempts: slow.received.length };
  }

  it('keeps the healthy bot\'s p99 delivery latency (and median) within 2x + 100 ms of a run where both are healthy', async () => {
    // Both side by side, at the same time, so whatever else the machine is doing slows both alike.
    const [baseline, withSlow] = await Promise.all([run(0), run(SLOW_ANSWER_MS)]);
    const p99 = { baseline: percentile(baseline.latencies, 99), withSlow: percentile(withSlow.latencies, 99) };
    const p50 = { baseline: percentile(baseline.latencies, 50), withSlow: percentile(withSlow.latencies, 50) };
    console.log(`[sqlite] healthy bot, ${baseline.latencies.length} deliveries per run: p50 ${p50.baseline} ms -> ${p50.withSlow} ms, p99 ${p99.baseline} ms -> ${p99.withSlow} ms, `
      + `max ${Math.max(...baseline.latencies)} ms -> ${Math.max(...withSlow.latencies)} ms, with the other bot answering after ${SLOW_ANSWER_MS} ms (timeout ${TIMEOUT_MS} ms, ${withSlow.slowAttempts} attempts on it); bounds ${2 * p50.baseline + SLACK_MS} / ${2 * p99.baseline + SLACK_MS} ms`);

    expect(baseline.latencies).toHaveLength(CONVERSATIONS * MESSAGES);
    expect(withSlow.latencies).toHaveLength(CONVERSATIONS * MESSAGES);
    // The slow bot really was tried, and failed, during the load.
    expect(withSlow.slowAttempts).toBeGreaterThan(CONVERSATIONS);
    expect(p99.withSlow).toBeLessThanOrEqual(2 * p99.baseline + SLACK_MS);
    // The median as well: a tail can be noise on a busy machine, but healthy deliveries that wait
    // out the slow one's timeout move the median by hundreds of milliseconds.
    expect(p50.withSlow).toBeLessThanOrEqual(2 * p50.baseline + SLACK_MS);
  }, 90_000);
});
