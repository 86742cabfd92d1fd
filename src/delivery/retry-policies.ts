import type { RetryPolicy } from '../core/model.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * IMIconnect / Webex Connect (seeds 000 and 001): no answer within five seconds or an error is a
 * failure; "a maximum of four retry attempts will occur over the next one hour"; "five consecutive
 * failures" make the webhook inactive until it is re-verified.
 */
export const IMI_POLICY: RetryPolicy = Object.freeze({
  schedule: [1 * MINUTE, 5 * MINUTE, 15 * MINUTE, 39 * MINUTE],
  timeoutMs: 5 * SECOND,
  breakAfter: 5,
  jitter: 0,
  onExhausted: 'skip',
}) as RetryPolicy;

/** Every other dialect (DESIGN.md section 5): a long exponential schedule with jitter. */
export const EXPONENTIAL_POLICY: RetryPolicy = Object.freeze({
  schedule: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
  timeoutMs: 15 * SECOND,
  breakAfter: 0,
  jitter: 0.2,
  onExhausted: 'skip',
}) as RetryPolicy;

/** How long a customer message may wait for an unreachable bot before its failover, unless the account says. */
export const BOT_FAILOVER_AFTER_MS = 30_000;

export function defaultRetryPolicy(dialect: string, kind: 'bot' | 'desk'): RetryPolicy {
  const base = dialect === 'imi' ? IMI_POLICY : EXPONENTIAL_POLICY;
  // A desk must not miss a message: it waits for the failed one (block) rather than skip it.
  return { ...base, schedule: [...base.schedule], onExhausted: kind === 'desk' ? 'block' : base.onExhausted };
}
