import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './error-handler.js';

export interface RateLimit {
  /** Requests per second each credential may make on average; 0 turns the limit off. */
  perSecond: number;
  /** How many it may make at once after a quiet spell. */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_KEYS = 10_000;

/**
 * The credential a request is counted against: its API key, product token, access token or the
 * token in a webhook URL; the client address when it carries none. Only a prefix is kept: enough
 * to tell callers apart, useless as a credential.
 */
function keyOf(req: FastifyRequest): string {
  const h = req.headers;
  const cred = h.authorization ?? h['x-cm-producttoken'] ?? (req.query as Record<string, unknown> | undefined)?.access_token;
  if (typeof cred === 'string' && cred.length > 0) return `c:${cred.slice(-24)}`;
  const token = /\/(?:webhook|omnichannel_message)\/([^/?]+)/.exec(req.url)?.[1];
  if (token) return `t:${token.slice(-24)}`;
  return `ip:${req.ip}`;
}

/**
 * A token bucket per credential, in this process. Over the limit a caller gets 429 with
 * `Retry-After`, and nothing is done. Several processes each apply the limit to what they see.
 */
export function rateLimiter(limit: RateLimit, now: () => number = () => Date.now()) {
  const buckets = new Map<string, Bucket>();
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (limit.perSecond <= 0) return;
    const key = keyOf(req);
    const t = now();
    let b = buckets.get(key);
    if (!b) {
      b = { tokens: limit.burst, at: t };
      if (buckets.size >= MAX_KEYS) buckets.delete(buckets.keys().next().value!);
    } else {
      b.tokens = Math.min(limit.burst, b.tokens + ((t - b.at) / 1000) * limit.perSecond);
      b.at = t;
      buckets.delete(key);
    }
    buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / limit.perSecond));
    await reply.status(429).header('retry-after', String(retryAfter)).send(errorBody('rate_limited', `Too many requests for this credential (${limit.perSecond}/s, bursts of ${limit.burst}); retry after ${retryAfter} s.`, { retryAfterSeconds: retryAfter }));
  };
}
