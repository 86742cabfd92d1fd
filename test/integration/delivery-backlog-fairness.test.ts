import { afterEach, describe, expect, it } from 'vitest';
import { type BatonHome, batonHome, callBaton, waitUntil } from '../helpers/child-baton.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

const KEY = 'fair-key-00000000000000001';
const BACKLOG_CONVERSATIONS = 120;
const DESK_ANSWERS_AFTER_MS = 400;
/** Long enough that a message left waiting for its lease to run out could not pass. */
const LEASE_MS = 20_000;

function config(bot: Receiver, desk: Receiver) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'busy', kind: 'native' }, { id: 'chat', kind: 'native' }],
      components: [
        { id: 'bot', kind: 'bot', url: `${bot.url}/bot` },
        // Retried quickly and never switched off: its backlog keeps every dispatcher slot busy.
        { id: 'desk', kind: 'desk', url: `${desk.url}/desk`, retry: { schedule: Array.from({ length: 50 }, () => '200ms'), timeout: '10s', jitter: 0, breakAfter: 0, onExhausted: 'block' } },
      ],
      services: [
        { id: 'busy', channels: ['busy'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] },
        { id: 'chat', channels: ['chat'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] },
      ],
    }],
  };
}

/**
 * A slow desk with a backlog of retries holds every slot of the dispatcher with claimed cursors.
 * A customer message written meanwhile is leased by the process that committed it; a freed slot
 * must go to it, not to the next claim of the backlog, or it would wait for its lease to run out.
 */
describe('a customer message and a backlog of claimed retries', () => {
  let home: BatonHome | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await home?.dispose();
    home = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('reaches the bot within seconds, while the desk\'s backlog still drains', async () => {
    const bot = await startReceiver();
    const desk = await startReceiver(() => ({ status: 503 }));
    receivers.push(bot, desk);
    home = batonHome('sqlite', config(bot, desk), { BATON_DELIVERY_LEASE_MS: String(LEASE_MS), BATON_DELIVERY_POLL_MS: '100' });
    const baton = await home.start();
    const post = (channel: string, customer: string, text: string) => callBaton(baton.url, KEY, 'POST', `/v1/channels/${channel}/messages`, { customer, text });

    for (let i = 0; i < BACKLOG_CONVERSATIONS; i++) expect((await post('busy', `busy-${i}`, 'hello')).status).toBe(201);
    // Every desk cursor failed at least once: from now on it is retried by claims, not leases.
    await waitUntil(() => new Set(desk.received.map((r) => r.json?.conversationId)).size >= BACKLOG_CONVERSATIONS, 30_000, () => `${desk.received.length} desk attempts`);
    desk.behave(() => ({ status: 200, delayMs: DESK_ANSWERS_AFTER_MS }));
    const switched = Date.now();
    // Two rounds of the desk's connections: by now every slot holds a claimed desk cursor.
    await waitUntil(() => desk.received.filter((r) => r.at >= switched).length >= 32, 20_000, () => 'the desk backlog draining');

    const sentAt = Date.now();
    expect((await post('chat', 'waiting-customer', 'is anyone there?')).status).toBe(201);
    await waitUntil(() => bot.received.some((r) => r.json?.customer === 'waiting-customer' || r.json?.message?.content?.text === 'is anyone there?'), LEASE_MS, () => 'the customer message at the bot');
    const arrived = bot.received.find((r) => r.json?.message?.content?.text === 'is anyone there?')!;
    const waited = arrived.at - sentAt;

    const pending = await callBaton(baton.url, KEY, 'GET', '/v1/deliveries?state=pending&limit=200');
    // The backlog is still there: the message went ahead of it, not after it.
    expect(pending.body.items.filter((d: { target: { id: string } }) => d.target.id === 'desk').length).toBeGreaterThan(0);
    expect(waited).toBeLessThan(5_000);
  }, 90_000);
});
