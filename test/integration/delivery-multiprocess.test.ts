import { afterEach, describe, expect, it } from 'vitest';
import { type BatonHome, batonHome, callBaton, type ChildBaton, waitUntil } from '../helpers/child-baton.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { readWebhookLog } from '../helpers/webhook-log.js';

const KEY = 'multi-key-0000000000000001';
const CONVERSATIONS = 500;
const MESSAGES = 18;
/** Each conversation's first message also opens it and its bot session: two more events for the bot. */
const EVENTS_PER_CONVERSATION = MESSAGES + 2;
const SENDERS = 48;

function config(bot: Receiver) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'web', kind: 'native' }],
      components: [{ id: 'bot', kind: 'bot', url: `${bot.url}/bot`, retry: { schedule: ['200ms', '200ms', '200ms'], timeout: '10s', jitter: 0, breakAfter: 0, onExhausted: 'block' } }],
      services: [{ id: 'main', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }],
    }],
  };
}

/** `baton_delivery_attempts_total` of one process, by outcome: its own share of the work. */
async function attempts(b: ChildBaton): Promise<{ delivered: number; failed: number }> {
  const text = await (await fetch(`${b.url}/metrics`)).text();
  const count = (outcome: string) => Number(new RegExp(`^baton_delivery_attempts_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { delivered: count('delivered'), failed: count('failed') };
}

// PostgreSQL only: SQLite is one file with one writer, so a second process on it is not a supported setup.
describe('two baton processes on one PostgreSQL schema (PostgreSQL only: SQLite has a single writer process)', () => {
  let home: BatonHome | undefined;
  let bot: Receiver | undefined;
  afterEach(async () => {
    await home?.dispose();
    await bot?.close();
    home = undefined;
    bot = undefined;
  });

  it('deliver 10,000 events to the bot together: none lost, none out of order, no duplicates', async () => {
    bot = await startReceiver();
    home = batonHome('postgres', config(bot));
    // One after the other, as an operator scales out: the first migrates and applies the configuration.
    const a = await home.start();
    const b = await home.start();
    const processes = [a, b];

    // Conversation c's message i goes to process (c + i) % 2, so every conversation is written
    // through both processes and delivered by whichever claims its cursor.
    const started = Date.now();
    const accepted: string[][] = Array.from({ length: CONVERSATIONS }, () => []);
    const refusals: string[] = [];
    const sender = async (w: number) => {
      const mine = Array.from({ length: CONVERSATIONS }, (_, c) => c).filter((c) => c % SENDERS === w);
      for (let i = 0; i < MESSAGES; i++) {
        for (const c of mine) {
          const res = await callBaton(processes[(c + i) % 2]!.url, KEY, 'POST', '/v1/channels/web/messages', { customer: `multi-${c}`, text: `${c}/${i}` });
          if (res.status === 201) accepted[c]!.push(res.body.message.id);
          else refusals.push(`${c}/${i}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, (_, w) => sender(w)));
    const postedAt = Date.now();
    expect(refusals).toEqual([]);

    const expected = CONVERSATIONS * EVENTS_PER_CONVERSATION;
    await waitUntil(async () => {
      if (readWebhookLog(bot!.received).count < expected) return false;
      const backlog = await callBaton(a.url, KEY, 'GET', '/v1/deliveries?state=pending&limit=1');
      return backlog.status === 200 && backlog.body.items.length === 0;
    }, 60_000, () => `${readWebhookLog(bot!.received).count} of ${expected} events delivered`, 200);
    const drainedAt = Date.now();

    const log = readWebhookLog(bot.received);
    const [ofA, ofB] = await Promise.all([attempts(a), attempts(b)]);
    console.log(`[postgres, 2 processes] ${CONVERSATIONS * MESSAGES} messages posted in ${postedAt - started} ms, all ${log.count} events delivered ${drainedAt - postedAt} ms later `
      + `(${((log.count * 1000) / (drainedAt - started)).toFixed(0)}/s overall); attempts: A ${ofA.delivered} delivered/${ofA.failed} failed, B ${ofB.delivered}/${ofB.failed}; ${log.duplicates.length} duplicates`);

    // Counted as a recipient sees them: distinct (conversation, seq) pairs at the bot's URL.
    expect(log.count).toBe(expected);
    expect(bot.received.filter((r) => r.json.type === 'message.received').length).toBe(CONVERSATIONS * MESSAGES);
    expect(log.firsts.size).toBe(CONVERSATIONS);
    expect(log.gaps).toEqual([]);
    expect(log.outOfOrder).toEqual([]);
    for (const list of log.firsts.values()) expect(list.map((r) => r.json.seq)).toEqual(Array.from({ length: EVENTS_PER_CONVERSATION }, (_, i) => i + 1));
    // Messages arrived in the order they were accepted, whichever process accepted them.
    const byCustomer = new Map([...log.firsts.values()].map((list) => [list[0]!.json.customer as string, list]));
    for (let c = 0; c < CONVERSATIONS; c++) {
      const arrived = byCustomer.get(`multi-${c}`)!.filter((r) => r.json.type === 'message.received').map((r) => r.json.message.id);
      expect(arrived, `multi-${c}`).toEqual(accepted[c]);
    }

    // Without a crash nothing is sent twice, and every request the bot got is an attempt one of the two made.
    expect(log.duplicates.map((d) => `${d.again.json.conversationId}#${d.again.json.seq}`)).toEqual([]);
    expect(log.idMismatches).toEqual([]);
    expect(ofA.failed + ofB.failed).toBe(0);
    expect(ofA.delivered + ofB.delivered).toBe(bot.received.length);
    expect(ofA.delivered).toBeGreaterThan(0);
    expect(ofB.delivered).toBeGreaterThan(0);
  }, 100_000);
});
