import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * What a login form needs of the failed-authentication throttle (http/auth-throttle.ts): whether
 * this address and login may try now, and the 429 that says when they may.
 */
export interface LoginThrottle {
  /** Seconds to wait before this login may be tried from this address; 0 when it may be now. */
  attempt(req: FastifyRequest, login: string): number;
  succeeded(req: FastifyRequest, login: string): void;
  refuse(reply: FastifyReply, seconds: number): FastifyReply;
}
