import type { RetryPolicy } from '../../core/model.js';

const MINUTE = 60_000;

/**
 * IMIconnect / Webex Connect (seeds 000 and 001): no answer within five seconds or an error is a
 * failure; "a maximum of four retry attempts will occur over the next one hour"; "five consecutive
 * failures" make the webhook inactive until it is re-verified.
 */
export const IMI_POLICY: RetryPolicy = Object.freeze({
  schedule: [1 * MINUTE, 5 * MINUTE, 15 * MINUTE, 39 * MINUTE],
  timeoutMs: 5000,
  breakAfter: 5,
  jitter: 0,
  onExhausted: 'skip',
}) as RetryPolicy;
