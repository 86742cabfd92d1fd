import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientAddress } from './client-address.js';
import { errorBody } from '../edge-kit/errors.js';
import { presentedCredential } from './presented-credential.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authenticator that accepted the request's credential: from then on it has a rate-limit budget of its own. */
    credentialAccepted?: boolean;
  }
}

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

/** Only a suffix of a credential is kept: enough to tell callers apart, useless as a credential. */
function credentialKey(req: FastifyRequest): string | null {
  const cred = presentedCredential(req);
  return cred ? `c:${cred.slice(-24)}` : null;
}

/**
 * A token bucket per credential, in this process. A credential has a bucket of its own only once
 * an authenticator accepted it; until then (and without one) a request is counted against its
 * client address, so a made-up `Authorization` header buys no fresh budget. Over the limit a
 * caller gets 429 with `Retry-After`, and nothing is done. Several processes each apply the limit
 * to what they see.
 */
export function rateLimiter(limit: RateLimit, now: () => number = () => Date.now()) {
  const buckets = new Map<string, Bucket>();
  // Credentials an authenticator accepted, by key, in the order last seen.
  const accepted = new Map<string, true>();
  // Which bucket each request in flight was charged to.
  const chargedTo = new WeakMap<FastifyRequest, string>();

  const bucket = (key: string, t: number): Bucket => {
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
    return b;
  };

  const onRequest = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (limit.perSecond <= 0) return;
    const cred = credentialKey(req);
    const key = cred && accepted.has(cred) ? cred : `ip:${clientAddress(req.ip)}`;
    const b = bucket(key, now());
    if (b.tokens >= 1) {
      b.tokens -= 1;
      chargedTo.set(req, key);
      return;
    }
    const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / limit.perSecond));
    const whose = key === cred ? 'this credential' : 'this address';
    await reply.status(429).header('retry-after', String(retryAfter)).send(errorBody('rate_limited', `Too many requests for ${whose} (${limit.perSecond}/s, bursts of ${limit.burst}); retry after ${retryAfter} s.`, { retryAfterSeconds: retryAfter }));
  };

  // A credential's first accepted request was charged to its address: it moves to the
  // credential's own bucket, so an address is charged only for what it could not prove.
  const onResponse = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const charged = chargedTo.get(req);
    const cred = charged === undefined ? null : credentialKey(req);
    if (!cred) return;
    if (reply.statusCode === 401) {
      accepted.delete(cred);
      return;
    }
    if (!req.credentialAccepted) return;
    accepted.delete(cred);
    if (accepted.size >= MAX_KEYS) accepted.delete(accepted.keys().next().value!);
    accepted.set(cred, true);
    if (charged === cred) return;
    const t = now();
    bucket(cred, t).tokens -= 1;
    const address = bucket(charged!, t);
    address.tokens = Math.min(limit.burst, address.tokens + 1);
  };

  return { onRequest, onResponse };
}
