/**
 * How long an account keeps what would otherwise grow for ever (`retention:` in baton.yaml).
 * A period is in milliseconds; null keeps for ever.
 *
 * @example { closedConversationsMs: 90 * DAY, deliveriesMs: 30 * DAY, idempotencyKeysMs: DAY, auditMs: null }
 */
export interface RetentionPolicy {
  /** A closed conversation with no activity for this long is deleted whole, with everything of it (its files too). */
  closedConversationsMs: number | null;
  /** Delivered deliveries, with their attempts, of any conversation; the events they carried stay. */
  deliveriesMs: number | null;
  /** How long an `Idempotency-Key` answers a retry with the first answer. */
  idempotencyKeysMs: number | null;
  /** The audit log, by the time of each line. */
  auditMs: number | null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * What an account keeps without a `retention:` block. Conversations and the audit log are the
 * record and stay until the operator says otherwise; a delivered delivery only repeats its event,
 * and a retry comes within hours, not days.
 */
export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({ closedConversationsMs: null, deliveriesMs: 30 * DAY, idempotencyKeysMs: DAY, auditMs: null });

/** The word that keeps for ever where a default would delete. */
export const KEEP = 'keep';

const PERIOD = /^([1-9]\d*)(m|h|d)$/;
const UNITS: Record<string, number> = { m: MINUTE, h: HOUR, d: DAY };

/**
 * A retention period as written in baton.yaml: a whole number of minutes, hours or days, or
 * `keep`. Undefined when the text is neither (milliseconds are refused on purpose: a bare `90`
 * meant as days would delete everything at once).
 *
 * @example parsePeriod('90d') // => 7776000000;  parsePeriod('keep') // => null
 */
export function parsePeriod(text: string): number | null | undefined {
  if (text === KEEP) return null;
  const m = PERIOD.exec(text);
  return m ? Number(m[1]) * UNITS[m[2]!]! : undefined;
}

/** A period the way baton.yaml writes it, for `baton doctor`. */
export function formatPeriod(ms: number | null): string {
  if (ms === null) return KEEP;
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** The instant before which a kind of row is old, or null when it is kept for ever. */
export function cutoff(now: Date, periodMs: number | null): string | null {
  return periodMs === null ? null : new Date(now.getTime() - periodMs).toISOString();
}

/** The account's policy: its own periods over the defaults. */
export function retentionOf(account: { retention?: Partial<RetentionPolicy> }): RetentionPolicy {
  return { ...DEFAULT_RETENTION, ...account.retention };
}

/** What one run deleted, by kind of row. */
export interface RetentionCounts {
  conversations: number;
  messages: number;
  events: number;
  deliveries: number;
  attempts: number;
  idempotencyKeys: number;
  sessions: number;
  audit: number;
  /** Uploaded files, deleted with their conversation. */
  files: number;
}

export function noCounts(): RetentionCounts {
  return { conversations: 0, messages: 0, events: 0, deliveries: 0, attempts: 0, idempotencyKeys: 0, sessions: 0, audit: 0, files: 0 };
}

export function addCounts(into: RetentionCounts, more: Partial<RetentionCounts>): RetentionCounts {
  for (const k of Object.keys(more) as (keyof RetentionCounts)[]) into[k] += more[k] ?? 0;
  return into;
}
