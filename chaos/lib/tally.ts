import type { Arrival } from './sink.js';
import type { Accepted } from './traffic.js';

export interface Tally {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Duplicates that came with a new webhook-id: receivers could not drop them. */
  duplicatedWithNewId: number;
  reordered: number;
}

/** Compares what Baton accepted with what the bot endpoints received. */
export function tally(accepted: Accepted[], arrivals: Arrival[]): Tally {
  const byText = new Map<string, Arrival[]>();
  for (const a of arrivals) {
    if (a.type !== 'message.received' || a.text === null) continue;
    const list = byText.get(`${a.conversationId}|${a.text}`) ?? [];
    list.push(a);
    byText.set(`${a.conversationId}|${a.text}`, list);
  }
  let delivered = 0;
  let duplicated = 0;
  let duplicatedWithNewId = 0;
  const firsts = new Map<string, { order: number; at: number }[]>();
  for (const m of accepted) {
    const got = byText.get(`${m.conversationId}|${m.text}`) ?? [];
    if (got.length === 0) continue;
    delivered++;
    duplicated += got.length - 1;
    duplicatedWithNewId += new Set(got.map((g) => g.webhookId)).size - 1;
    const list = firsts.get(m.conversationId) ?? [];
    list.push({ order: m.order, at: got[0]!.at });
    firsts.set(m.conversationId, list);
  }
  let reordered = 0;
  for (const list of firsts.values()) {
    list.sort((a, b) => a.at - b.at);
    for (let i = 1; i < list.length; i++) if (list[i]!.order < list[i - 1]!.order) reordered++;
  }
  return { sent: accepted.length, delivered, lost: accepted.length - delivered, duplicated, duplicatedWithNewId, reordered };
}

/** p99 of delivery latency (post to first arrival) for the accepted messages of some endpoints. */
export function latencyP99(accepted: Accepted[], arrivals: Arrival[], endpoints: Set<string>): number {
  const first = new Map<string, number>();
  for (const a of arrivals) {
    if (a.type !== 'message.received' || !endpoints.has(a.endpoint)) continue;
    const k = `${a.conversationId}|${a.text}`;
    if (!first.has(k)) first.set(k, a.at);
  }
  const lat: number[] = [];
  for (const m of accepted) {
    const at = first.get(`${m.conversationId}|${m.text}`);
    if (at !== undefined) lat.push(at - m.postedAt);
  }
  lat.sort((a, b) => a - b);
  return lat.length ? lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]! : 0;
}
