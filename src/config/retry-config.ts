import type { RetryPolicy } from '../core/model.js';
import type { RetryConfig } from './config-schema.js';
import { parseDuration } from './duration.js';

/** A `retry:` block over the policy that holds where it says nothing (a dialect's, or the channel default). */
export function retryPolicy(r: RetryConfig | undefined, base: RetryPolicy): RetryPolicy {
  return {
    schedule: r?.schedule ? r.schedule.map((d) => parseDuration(d, 0)) : [...base.schedule],
    timeoutMs: parseDuration(r?.timeout, base.timeoutMs),
    breakAfter: r?.breakAfter ?? base.breakAfter,
    jitter: r?.jitter ?? base.jitter,
    onExhausted: r?.onExhausted ?? base.onExhausted,
  };
}

/**
 * What a channel's `retry:` may not say, as `key: problem` relative to the channel. A channel has
 * no circuit: after failures it is not switched off (only a 410 does that), so `breakAfter` would
 * promise what never happens; and an attempt with no time to answer fails every time.
 */
export function channelRetryProblems(r: RetryConfig | undefined): string[] {
  if (!r) return [];
  const out: string[] = [];
  if (r.breakAfter !== undefined) out.push('retry.breakAfter: a channel has no circuit to break; leave it out (when its retries run out, `onExhausted` decides what waits)');
  if (r.timeout !== undefined && parseDuration(r.timeout, 1) === 0) out.push('retry.timeout: must be longer than 0, or every attempt fails before the server can answer');
  return out;
}
