import type { RetryPolicy } from '../core/model.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Every dialect that declares no policy of its own (DESIGN.md section 5): a long exponential schedule with jitter. */
export const EXPONENTIAL_POLICY: RetryPolicy = Object.freeze({
  schedule: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
  timeoutMs: 15 * SECOND,
  breakAfter: 0,
  jitter: 0.2,
  onExhausted: 'skip',
}) as RetryPolicy;

/**
 * A channel's policy unless it sets its own (`retry:` on the channel): the exponential schedule,
 * but a customer must not miss a message, so a channel that never took one waits for it (block).
 */
export const CHANNEL_RETRY_POLICY: RetryPolicy = Object.freeze({ ...EXPONENTIAL_POLICY, onExhausted: 'block' }) as RetryPolicy;

/** How long a customer message may wait for an unreachable bot before its failover, unless the account says. */
export const BOT_FAILOVER_AFTER_MS = 30_000;

/**
 * A new component's policy: its dialect's (DialectModule.retry) or the exponential one. A desk must
 * not miss a message: it waits for the failed one (block) rather than skip it.
 */
export function defaultRetryPolicy(dialectPolicy: RetryPolicy | undefined, kind: 'bot' | 'desk'): RetryPolicy {
  const base = dialectPolicy ?? EXPONENTIAL_POLICY;
  return { ...base, schedule: [...base.schedule], onExhausted: kind === 'desk' ? 'block' : base.onExhausted };
}
