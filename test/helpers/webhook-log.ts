import type { Received } from './receiver.js';

/** A webhook that arrived again for an event already received: a redelivery. */
export interface Duplicate {
  original: Received;
  again: Received;
}

/**
 * What a receiver saw, read as a recipient would: an event is identified by (conversation, seq);
 * the first arrival of each counts, later ones are duplicates, which must carry the same
 * `webhook-id` (and envelope id) as the first so the recipient can drop them.
 */
export interface WebhookLog {
  /** Per conversation, the first arrival of each event, in arrival order. */
  firsts: Map<string, Received[]>;
  duplicates: Duplicate[];
  /** Duplicates whose webhook-id or envelope id differs from the first arrival's. */
  idMismatches: Duplicate[];
  /** Per conversation, first arrivals whose seq is not above the one before: `conv: 3 after 5`. */
  outOfOrder: string[];
  /** Conversations whose received seqs are not exactly 1..max: `conv: missing 4, 7`. */
  gaps: string[];
  /** The distinct events received. */
  count: number;
}

export function readWebhookLog(received: readonly Received[]): WebhookLog {
  const firstByKey = new Map<string, Received>();
  const firsts = new Map<string, Received[]>();
  const duplicates: Duplicate[] = [];
  for (const r of received) {
    if (r.json?.type === 'verification') continue;
    const key = `${r.json.conversationId}#${r.json.seq}`;
    const original = firstByKey.get(key);
    if (original) {
      duplicates.push({ original, again: r });
      continue;
    }
    firstByKey.set(key, r);
    const list = firsts.get(r.json.conversationId) ?? [];
    list.push(r);
    firsts.set(r.json.conversationId, list);
  }
  const idMismatches = duplicates.filter((d) => d.again.headers['webhook-id'] !== d.original.headers['webhook-id'] || d.again.json.id !== d.original.json.id || d.original.headers['webhook-id'] !== d.original.json.id);
  const outOfOrder: string[] = [];
  const gaps: string[] = [];
  for (const [conv, list] of firsts) {
    const seqs = list.map((r) => r.json.seq as number);
    for (let i = 1; i < seqs.length; i++) if (seqs[i]! <= seqs[i - 1]!) outOfOrder.push(`${conv}: ${seqs[i]} after ${seqs[i - 1]}`);
    const seen = new Set(seqs);
    const max = Math.max(...seqs);
    const missing = Array.from({ length: max }, (_, i) => i + 1).filter((s) => !seen.has(s));
    if (missing.length) gaps.push(`${conv}: missing ${missing.join(', ')}`);
  }
  return { firsts, duplicates, idMismatches, outOfOrder, gaps, count: firstByKey.size };
}
