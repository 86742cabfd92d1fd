import type { RetryPolicy } from '../core/model.js';
import type { HttpSender } from './http-sender.js';
import type { DeliveryMetrics } from './metrics.js';
import type { DeliveryContext, Outcome, OutgoingRequest, Renderer, Target } from './ports.js';
import { classify, nextDelay } from './retry.js';

/**
 * One attempt: the requests not yet taken, in order, each only after the one before was. The
 * attempt's latency is their sum; a failure records how many parts went, so the retry resumes there.
 */
export async function sendParts(sender: HttpSender, metrics: DeliveryMetrics | null, renderer: Renderer, ctx: DeliveryContext, requests: OutgoingRequest[], policy: RetryPolicy, now: Date, traceHeaders: Record<string, string> | null = null): Promise<Outcome> {
  let latencyMs = 0;
  let statusCode: number | null = null;
  for (let part = ctx.partsSent; part < requests.length; part++) {
    const request = requests[part]!;
    // The recipient's own tracing joins Baton's trace (W3C Trace Context); none when tracing is off.
    const result = await sender.send(traceHeaders ? { ...request, headers: { ...request.headers, ...traceHeaders } } : request, policy.timeoutMs);
    latencyMs += result.latencyMs;
    statusCode = result.response?.status ?? null;
    let verdict = classify(result.response, result.error, now);
    if (verdict.kind === 'success' && renderer.accept && result.response) {
      const check = renderer.accept(result.response, ctx);
      if (!check.ok) verdict = { kind: 'failure', reason: check.reason, retryAfterMs: null, disable: false };
    }
    metrics?.attempt(verdict.kind === 'success' ? 'delivered' : 'failed', result.latencyMs / 1000);
    if (verdict.kind === 'failure') {
      const attempt = { statusCode, latencyMs, error: verdict.reason };
      return { kind: 'failed', attempt, policy, nextDelayMs: nextDelay(policy, ctx.attempt, verdict.retryAfterMs), disable: verdict.disable, breakAfter: ctx.target.kind === 'component' ? policy.breakAfter : 0, partsSent: part };
    }
  }
  return { kind: 'delivered', attempt: { statusCode, latencyMs, error: null } };
}

/** An in-process recipient: its handler stands in for the HTTP call, and is recorded like one. */
export async function deliverInProcess(metrics: DeliveryMetrics | null, renderer: Renderer, ctx: DeliveryContext, policy: RetryPolicy): Promise<Outcome> {
  const started = performance.now();
  let error: string | null = null;
  try {
    await renderer.deliver!(ctx);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const latencyMs = Math.round(performance.now() - started);
  metrics?.attempt(error ? 'failed' : 'delivered', latencyMs / 1000);
  const attempt = { statusCode: null, latencyMs, error };
  if (!error) return { kind: 'delivered', attempt };
  return { kind: 'failed', attempt, policy, nextDelayMs: nextDelay(policy, ctx.attempt, null), disable: false, breakAfter: ctx.target.kind === 'component' ? policy.breakAfter : 0 };
}

/** An outcome no retry will change: its author hears of it. */
export function isFinal(outcome: Outcome): boolean {
  return outcome.kind === 'delivered' || (outcome.nextDelayMs === null && !outcome.disable);
}

export function hasEndpoint(target: Target): boolean {
  return target.kind === 'component' ? Boolean(target.component.url) : Boolean(target.channel.outboundUrl);
}
