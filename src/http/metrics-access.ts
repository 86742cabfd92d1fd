import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { BatonError } from '../core/errors.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * `/metrics` names accounts and components, so it is not for everyone: with a token, only a
 * scraper presenting it (`Authorization: Bearer <token>`); without one, only clients on this host
 * (a Prometheus beside Baton, or a sidecar). Behind a trusted proxy the client is the proxy's
 * client, so the proxy does not make everyone local.
 */
export function metricsAccess(req: FastifyRequest, token: string | undefined): void {
  if (token) {
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (presented && timingSafeEqual(digest(presented), digest(token))) return;
    throw new BatonError('unauthorized', 'Send the metrics token (BATON_METRICS_TOKEN) as `Authorization: Bearer <token>` to read /metrics.');
  }
  if (!LOOPBACK.test(req.ip)) throw new BatonError('forbidden', '/metrics answers clients on this host only; set BATON_METRICS_TOKEN to scrape it from elsewhere.');
}
