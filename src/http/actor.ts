import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

/**
 * Names the credential a request came with, for the audit log: a fingerprint of the API key or
 * token (never the secret itself), or the inbox session's agent.
 */
export function actorOf(req: FastifyRequest): string {
  const h = req.headers;
  const bearer = typeof h.authorization === 'string' ? /^Bearer\s+(\S+)/i.exec(h.authorization)?.[1] : undefined;
  if (bearer) return `api-key:${fingerprint(bearer)}`;
  const product = h['x-cm-producttoken'];
  if (typeof product === 'string' && product) return `token:${fingerprint(product)}`;
  const access = (req.query as Record<string, unknown> | undefined)?.access_token;
  if (typeof access === 'string' && access) return `token:${fingerprint(access)}`;
  const path = /\/(?:webhook|omnichannel_message)\/([^/?]+)/.exec(req.url)?.[1];
  if (path) return `token:${fingerprint(path)}`;
  if (typeof h.cookie === 'string' && h.cookie.includes('baton_session')) return `inbox-session:${fingerprint(h.cookie)}`;
  return `anonymous:${req.ip}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts as, for the audit log; edges pass it with every command. */
    actor: string;
  }
}

/** Names the request's actor once, before any route runs; edges hand it to the core with their calls. */
export async function actorHook(req: FastifyRequest): Promise<void> {
  req.actor = actorOf(req);
}
