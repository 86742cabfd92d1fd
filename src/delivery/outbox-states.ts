/**
 * The outbox's vocabulary, as stored. A delivery is pending until its recipient took it
 * (delivered) or its retries ran out and it was skipped or blocked on (failed). A cursor is one
 * recipient's place in one conversation: idle with nothing queued, ready with a head to send,
 * parked until its recipient can be reached, blocked behind a failed delivery until a replay.
 */
export const DELIVERY = Object.freeze({ pending: 'pending', delivered: 'delivered', failed: 'failed' } as const);
export const CURSOR = Object.freeze({ idle: 'idle', ready: 'ready', parked: 'parked', blocked: 'blocked' } as const);
/** Why a cursor is parked: its recipient is switched off, has nowhere to be reached, or has not passed verification yet. */
export const PARKED = Object.freeze({ inactive: 'inactive', noEndpoint: 'no_endpoint', unverified: 'unverified' } as const);

export type DeliveryState = (typeof DELIVERY)[keyof typeof DELIVERY];
export type CursorState = (typeof CURSOR)[keyof typeof CURSOR];

/** What a failed attempt leads to. */
export type FailureDecision =
  /** The recipient is switched off (its circuit broke, or it answered 410): the cursor waits, parked. */
  | { kind: 'break' }
  /** Tried again after the delay; the cursor waits until then. */
  | { kind: 'retry'; delayMs: number }
  /** Retries ran out and the recipient must not miss it: the conversation waits for a replay. */
  | { kind: 'block' }
  /** Retries ran out: marked failed, and the cursor moves on. */
  | { kind: 'skip' };

/**
 * One pure decision for every failed attempt. `failures` is the recipient's run of consecutive
 * failures including this one (components only; channels have none).
 */
export function decideFailure(f: { disable: boolean; breakAfter: number; failures: number; nextDelayMs: number | null; onExhausted: 'block' | 'skip' }): FailureDecision {
  if (f.disable || (f.breakAfter > 0 && f.failures >= f.breakAfter)) return { kind: 'break' };
  if (f.nextDelayMs !== null) return { kind: 'retry', delayMs: f.nextDelayMs };
  return f.onExhausted === 'block' ? { kind: 'block' } : { kind: 'skip' };
}
