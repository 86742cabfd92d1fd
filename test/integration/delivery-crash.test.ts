import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type BatonHome, batonHome, callBaton, type ChildBaton, waitUntil } from '../helpers/child-baton.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { readWebhookLog } from '../helpers/webhook-log.js';

const KEY = 'crash-key-0000000000000001';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CONVERSATIONS = 30;
const PER_CONVERSATION = 10;
/** The dispatcher's default batch: no more cursors, hence attempts, are in flight at once. */
const BATCH = 64;
const LEASE_MS = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(bot: Receiver) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'web', kind: 'native' }],
      // Short retries and no circuit breaker: the only redeliveries are the ones the crash causes.
      components: [{ id: 'bot', kind: 'bot', url: `${bot.url}/bot`, secrets: { webhookSecret: SECRET }, retry: { schedule: ['200ms', '200ms', '200ms', '200ms', '200ms'], timeout: '10s', jitter: 0, breakAfter: 0, onExhausted: 'block' } }],
      services: [{ id: 'main', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }],
    }],
  };
}

describe.each(['sqlite', 'postgres'] as const)('a baton killed with SIGKILL mid-delivery, restarted on the same %s store', (engine) => {
  let home: BatonHome | undefined;
  let bot: Receiver | undefined;
  afterEach(async () => {
    await home?.dispose();
    await bot?.close();
    home = undefined;
    bot = undefined;
  });

  it('delivers every accepted message, in order per conversation, duplicates only with their webhook-id', async () => {
    // A slow bot (50-200 ms an answer) keeps attempts in flight. At the kill its answers are held
    // until the process is gone, so exactly those attempts are known to have been cut off.
    let holding = false;
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    const unanswered = new Set<string>();
    bot = await startReceiver(async (r) => {
      const id = r.headers['webhook-id'] as string;
      unanswered.add(id);
      await sleep(50 + Math.floor(Math.random() * 150));
      if (holding) await released;
      unanswered.delete(id);
      return { status: 200 };
    });
    home = batonHome(engine, config(bot), { BATON_DELIVERY_LEASE_MS: String(LEASE_MS), BATON_DELIVERY_POLL_MS: '100' });
    const started = Date.now();
    let live: ChildBaton | null = await home.start();
    let whenLive = Promise.resolve();
    let markLive = () => {};

    // Each conversation sends its messages one after the other; only a 2xx answer counts as accepted.
    const accepted = new Map<string, string[]>();
    let refused = 0;
    let acceptedCount = 0;
    const conversation = async (c: number) => {
      const customer = `crash-${c}`;
      const ids: string[] = [];
      accepted.set(customer, ids);
      for (let i = 0; i < PER_CONVERSATION; i++) {
        await sleep(100 + Math.floor(Math.random() * 150));
        await whenLive;
        try {
          const res = await callBaton(live!.url, KEY, 'POST', '/v1/channels/web/messages', { customer, text: `${customer}/${i}` });
          if (res.status >= 200 && res.status < 300) {
            ids.push(res.body.message.id);
            acceptedCount++;
          } else {
            refused++;
          }
        } catch {
          refused++;
        }
      }
    };
    const senders = Promise.all(Array.from({ length: CONVERSATIONS }, (_, c) => conversation(c)));

    // Kill once about half the messages are in and the bot is busy answering.
    await waitUntil(() => acceptedCount >= (CONVERSATIONS * PER_CONVERSATION) / 2 && unanswered.size >= 3, 30_000, () => `accepted ${acceptedCount}, in flight ${unanswered.size}`, 5);
    whenLive = new Promise<void>((r) => { markLive = r; });
    holding = true;
    const killedAt = Date.now();
    expect(await live.kill('SIGKILL')).toBe('SIGKILL');
    live = null;
    // Let the receiver read whatever the dead process had already written to its sockets.
    await sleep(200);
    // No answer left the receiver since `holding`: whatever is unanswered was cut off by the kill.
    const cutOff = [...unanswered];
    const fromKilled = new Set(bot.received);
    holding = false;
    release();

    live = await home.start();
    const restartedAt = Date.now();
    markLive();
    await senders;
    const total = [...accepted.values()].reduce((n, ids) => n + ids.length, 0);

    // Everything accepted reaches the bot once the dead process's leases have run out.
    const acceptedIds = new Set([...accepted.values()].flat());
    const arrived = () => new Set(bot!.received.filter((r) => r.json.type === 'message.received').map((r) => r.json.message.id as string));
    await waitUntil(async () => {
      const seen = arrived();
      if (![...acceptedIds].every((id) => seen.has(id))) return false;
      const backlog = await callBaton(live!.url, KEY, 'GET', '/v1/deliveries?state=pending&limit=1');
      return backlog.status === 200 && backlog.body.items.length === 0;
    }, 60_000, () => `${[...acceptedIds].filter((id) => !arrived().has(id)).length} of ${acceptedIds.size} accepted messages not delivered`);
    const drainedAt = Date.now();

    const log = readWebhookLog(bot.received);
    const lost = [...acceptedIds].filter((id) => !arrived().has(id));
    console.log(`[${engine}] accepted ${total} messages (${refused} refused while down) over ${CONVERSATIONS} conversations; `
      + `killed after ${killedAt - started} ms with ${cutOff.length} attempts cut off, restarted in ${restartedAt - killedAt} ms, drained ${drainedAt - restartedAt} ms later; `
      + `${log.count} distinct webhooks, ${log.duplicates.length} duplicates, ${lost.length} lost`);

    expect(cutOff.length).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(CONVERSATIONS * PER_CONVERSATION / 2);
    expect(lost).toEqual([]);
    expect(log.gaps).toEqual([]);
    expect(log.outOfOrder).toEqual([]);

    // Per conversation, accepted messages first arrived in the order they were accepted.
    for (const [customer, ids] of accepted) {
      const firstArrivals = [...log.firsts.values()].flat().filter((r) => r.json.customer === customer && r.json.type === 'message.received').map((r) => r.json.message.id as string);
      expect(firstArrivals.filter((id) => acceptedIds.has(id)), customer).toEqual(ids);
    }

    // Redeliveries carry the original webhook-id, come only from attempts the kill interrupted,
    // and every interrupted attempt was made again.
    expect(log.idMismatches.map((d) => `${d.again.json.conversationId}#${d.again.json.seq}: ${d.original.headers['webhook-id']} then ${d.again.headers['webhook-id']}`)).toEqual([]);
    expect(log.duplicates.length).toBeLessThanOrEqual(BATCH);
    expect(log.duplicates.length).toBeGreaterThanOrEqual(cutOff.length);
    expect(log.duplicates.filter((d) => !fromKilled.has(d.original) || fromKilled.has(d.again)).map((d) => `${d.again.json.conversationId}#${d.again.json.seq}`)).toEqual([]);
    const redelivered = new Set(log.duplicates.map((d) => d.again.headers['webhook-id']));
    // A redelivery is signed afresh by the restarted process, under the same id.
    const verifier = new Webhook(SECRET);
    for (const d of log.duplicates) expect(verifier.verify(d.again.body, d.again.headers as Record<string, string>)).toMatchObject({ id: d.original.json.id });
    expect(cutOff.filter((id) => !redelivered.has(id))).toEqual([]);

    // Each conversation's last event reached the bot, and nothing failed or is left pending.
    for (const [conv, list] of log.firsts) {
      const view = await callBaton(live.url, KEY, 'GET', `/v1/conversations/${conv}`);
      expect(Math.max(...list.map((r) => r.json.seq as number)), conv).toBe(view.body.conversation.lastSeq);
    }
    expect((await callBaton(live.url, KEY, 'GET', '/v1/deliveries?state=failed&limit=1')).body.items).toEqual([]);
    expect(log.firsts.size).toBe(CONVERSATIONS);
  }, 120_000);
});
