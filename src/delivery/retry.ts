import type { RetryPolicy } from '../core/model.js';
import type { EndpointResponse } from './ports.js';

export type Verdict =
  | { kind: 'success' }
  | { kind: 'failure'; reason: string; retryAfterMs: number | null; disable: boolean };

const MAX_RETRY_AFTER_MS = 6 * 3_600_000;

/** Reads an answer the way DESIGN.md section 5 says: 2xx succeeds, 3xx fails, 410 disables. */
export function classify(res: EndpointResponse | null, error: string | null, now: Date): Verdict {
  if (!res) return { kind: 'failure', reason: error ?? 'no answer', retryAfterMs: null, disable: false };
  if (res.status >= 200 && res.status < 300) return { kind: 'success' };
  const reason = res.status >= 300 && res.status < 400 ? `HTTP ${res.status}: redirects are not followed` : `HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ''}`;
  return { kind: 'failure', reason, retryAfterMs: retryAfter(res.headers['retry-after'], now), disable: res.status === 410 };
}

function retryAfter(header: string | string[] | undefined, now: Date): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now.getTime();
  if (!Number.isFinite(ms) || ms < 0) return null;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/**
 * The delay before the next attempt after `failures` failed attempts of one delivery, or null
 * when the policy's retries are used up. Jitter spreads retries of many deliveries apart; a
 * Retry-After longer than the schedule is honoured (up to six hours).
 */
export function nextDelay(policy: RetryPolicy, failures: number, retryAfterMs: number | null, random: () => number = Math.random): number | null {
  const base = policy.schedule[failures - 1];
  if (base === undefined) return null;
  const jittered = base * (1 + policy.jitter * (2 * random() - 1));
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
