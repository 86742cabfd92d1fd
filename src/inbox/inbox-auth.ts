import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import { parseCookies, sessionCookie } from './cookies.js';
import type { LoginSession, LoginSessions } from './login-sessions.js';

export const SESSION_COOKIE = 'baton_session';
/** A login lasts a working day; agents log in again the next morning. */
export const SESSION_TTL_MS = 12 * 3_600_000;
const COOKIE_PATH = '/inbox';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in agent; every inbox call is scoped to their account. */
    login?: LoginSession & { idHash: string };
  }
}

export function sessionIdHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

/** Opens a login for an agent and sets its cookie; returns the CSRF token the page must send back. */
export async function openLogin(sessions: LoginSessions, clock: Clock, reply: FastifyReply, req: FastifyRequest, accountId: string, agentId: string): Promise<LoginSession> {
  const id = randomBytes(32).toString('base64url');
  const now = clock.now();
  const login: LoginSession = { accountId, agentId, csrfToken: randomBytes(24).toString('base64url'), createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString() };
  await sessions.create(sessionIdHash(id), login);
  void reply.header('set-cookie', sessionCookie(SESSION_COOKIE, id, { path: COOKIE_PATH, maxAgeSeconds: SESSION_TTL_MS / 1000, secure: req.protocol === 'https' }));
  return login;
}

export function clearLoginCookie(reply: FastifyReply, req: FastifyRequest): void {
  void reply.header('set-cookie', sessionCookie(SESSION_COOKIE, '', { path: COOKIE_PATH, maxAgeSeconds: 0, secure: req.protocol === 'https' }));
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The login the request's cookie names, if it is known and has not expired. */
export async function findLogin(sessions: LoginSessions, clock: Clock, req: FastifyRequest): Promise<(LoginSession & { idHash: string }) | undefined> {
  const id = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (!id) return undefined;
  const idHash = sessionIdHash(id);
  const login = await sessions.get(idHash, clock.now().toISOString());
  return login && { ...login, idHash };
}

/**
 * The inbox's onRequest hook: the session cookie names the agent; a mutating call must also carry
 * the session's CSRF token in `x-csrf-token` (a header another site's form cannot set). WebSocket
 * upgrades must come from Baton's own origin, since browsers send cookies with them.
 */
export function sessionAuth(sessions: LoginSessions, clock: Clock, opts: { open: string[] }) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const path = req.url.split('?')[0]!;
    if (opts.open.includes(path)) return;
    const login = await findLogin(sessions, clock, req);
    if (!login) throw new BatonError('unauthorized', 'Log in to the inbox first (your session may have expired).');
    if (req.headers.upgrade?.toLowerCase() === 'websocket') {
      // Compared by host alone: behind a TLS-terminating proxy the page is https and Baton sees http.
      const origin = req.headers.origin;
      if (origin && hostOf(origin) !== req.host) throw new BatonError('forbidden', 'The inbox socket accepts connections from the inbox page only.');
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameToken(sent, login.csrfToken)) throw new BatonError('forbidden', 'This call needs the session\'s CSRF token in the x-csrf-token header; reload the inbox.');
    }
    req.login = login;
  };
}
