import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DIALECTS } from '../dialects/index.js';

function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

// Where the dialects' callers present their credentials (DialectModule.credentials). A bearer token
// is named an API key whoever takes it: the audit tells keys apart by fingerprint, not by dialect.
const HEADERS = [...new Set(DIALECTS.flatMap((d) => d.credentials.headers ?? []))].filter((h) => h !== 'authorization');
const QUERY_PARAMS = [...new Set(DIALECTS.flatMap((d) => d.credentials.queryParams ?? []))];
const PATH_TOKENS = DIALECTS.flatMap((d) => (d.credentials.pathToken ? [d.credentials.pathToken] : []));

/**
 * Names the credential a request came with, for the audit log: a fingerprint of the API key or
 * token (never the secret itself), or the inbox session's agent.
 */
export function actorOf(req: FastifyRequest): string {
  const h = req.headers;
  const bearer = typeof h.authorization === 'string' ? /^Bearer\s+(\S+)/i.exec(h.authorization)?.[1] : undefined;
  if (bearer) return `api-key:${fingerprint(bearer)}`;
  for (const name of HEADERS) {
    const value = h[name];
    if (typeof value === 'string' && value) return `token:${fingerprint(value)}`;
  }
  const query = req.query as Record<string, unknown> | undefined;
  for (const name of QUERY_PARAMS) {
    const value = query?.[name];
    if (typeof value === 'string' && value) return `token:${fingerprint(value)}`;
  }
  for (const pattern of PATH_TOKENS) {
    const token = pattern.exec(req.url)?.[1];
    if (token) return `token:${fingerprint(token)}`;
  }
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
