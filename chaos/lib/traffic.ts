import { Pool } from 'undici';

export interface Accepted {
  index: number;
  /** When Baton accepted it, counted across the run; messages of one conversation never overlap. */
  order: number;
  messageId: string;
  conversationId: string;
  text: string;
  postedAt: number;
}

export interface TrafficOptions {
  /** The API base URLs of the live processes; the client picks one per request and fails over. */
  targets: () => string[];
  apiKey: string;
  /** The channel message i is sent on. */
  channel: (i: number) => string;
  conversations: number;
  messages: number;
  seconds: number;
  workers: number;
  /** Send every request twice, as an at-least-once channel does. */
  duplicate?: boolean;
  /** Prefix of customer names, so several runs on one store do not share conversations. */
  run: string;
}

function customerOf(i: number, o: TrafficOptions): string {
  return `${o.run}-c${i % o.conversations}`;
}

/**
 * A channel that keeps sending: each message has its own channel message id and is retried
 * (against whichever process answers) until Baton accepts it or the run's time is up. Only
 * messages Baton answered 2xx for count as accepted: those are the ones that must not be lost.
 */
export async function sendTraffic(o: TrafficOptions): Promise<{ accepted: Accepted[]; refused: number; duplicatesStored: number }> {
  const pools = new Map<string, Pool>();
  const pool = (url: string) => {
    let p = pools.get(url);
    if (!p) {
      p = new Pool(url, { connections: o.workers });
      pools.set(url, p);
    }
    return p;
  };
  const accepted: Accepted[] = [];
  let refused = 0;
  let order = 0;
  let duplicatesStored = 0;
  let next = 0;
  const deadline = performance.now() + o.seconds * 1000;
  // Messages of one conversation go out one after another, so the order Baton accepted them in is well defined.
  const busy = new Set<number>();

  const post = async (i: number): Promise<Accepted | null> => {
    const body = JSON.stringify({ customer: customerOf(i, o), text: `m${i}`, messageId: `${o.run}-m${i}` });
    while (performance.now() < deadline + 30_000) {
      const targets = o.targets();
      const url = targets[i % Math.max(1, targets.length)];
      if (!url) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      try {
        const postedAt = performance.now();
        const res = await pool(url).request({ method: 'POST', path: `/v1/channels/${o.channel(i)}/messages`, headers: { 'content-type': 'application/json', authorization: `Bearer ${o.apiKey}` }, body, headersTimeout: 10_000, bodyTimeout: 10_000 });
        const json = (await res.body.json()) as any;
        if (res.statusCode === 201 || res.statusCode === 200) {
          const first: Accepted = { index: i, order: order++, messageId: json.message.id, conversationId: json.conversation.id, text: `m${i}`, postedAt };
          if (o.duplicate) {
            const again = await pool(url).request({ method: 'POST', path: `/v1/channels/${o.channel(i)}/messages`, headers: { 'content-type': 'application/json', authorization: `Bearer ${o.apiKey}` }, body });
            const dup = (await again.body.json()) as any;
            if (again.statusCode === 201 || dup.message?.id !== first.messageId) duplicatesStored++;
          }
          return first;
        }
        refused++;
      } catch {
        // The process died or restarts: try again, maybe elsewhere.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return null;
  };

  const worker = async () => {
    while (next < o.messages && performance.now() < deadline) {
      const i = next++;
      const conv = i % o.conversations;
      while (busy.has(conv)) await new Promise((r) => setTimeout(r, 1));
      busy.add(conv);
      try {
        const a = await post(i);
        if (a) accepted.push(a);
      } finally {
        busy.delete(conv);
      }
    }
  };
  await Promise.all(Array.from({ length: o.workers }, worker));
  await Promise.all([...pools.values()].map((p) => p.close()));
  return { accepted, refused, duplicatesStored };
}
