import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { BatonError } from '../core/errors.js';
import type { Idempotency } from '../core/router.js';

/**
 * The `Idempotency-Key` of a mutating call, with a fingerprint of what was asked, so that a key
 * reused for a different request is refused instead of silently answered with the old result.
 */
export function idempotencyOf(req: FastifyRequest): Idempotency | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > 255) throw new BatonError('bad_request', 'Idempotency-Key must be 1 to 255 characters.');
  const fingerprint = createHash('sha256').update(`${req.method} ${req.routeOptions.url ?? req.url}\n${JSON.stringify(req.params)}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
  return { key, fingerprint };
}
