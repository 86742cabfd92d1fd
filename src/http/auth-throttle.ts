import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientAddress } from './client-address.js';
import { errorBody } from '../edge-kit/errors.js';
import type { LoginThrottle } from '../edge-kit/login-throttle.js';
import { presentedCredential } from './presented-credential.js';

export interface FailureLimit {
  /** Failed authentications counted before the key is refused; 0 turns the limit off. */
  failures: number;
  /** The window they are counted in, from the first; the key is refused until it ends. */
  windowMs: number;
}

/**
 * How many failed authentications Baton takes before it stops listening (README, "Reliability and
 * security"). An address is anyone's guess at any credential; a login name is one agent's
 * password, guessed from many addresses. A lock cannot be lifted early, not even by a right
 * password: otherwise the lock would only slow down the guess that ends it.
 */
export const AUTH_FAILURE_LIMITS: AuthFailureLimits = Object.freeze({
  address: Object.freeze({ failures: 10, windowMs: 60_000 }),
  login: Object.freeze({ failures: 5, windowMs: 15 * 60_000 }),
});

export interface AuthFailureLimits {
  /** Per client address (an IPv6 client by its /64), whatever it authenticates with. */
  address: FailureLimit;
  /** Per inbox login name (account and agent), from whichever address. */
  login: FailureLimit;
}

/** No lockout (tests that send many wrong credentials on purpose). */
export const NO_AUTH_FAILURE_LIMITS: AuthFailureLimits = Object.freeze({ address: Object.freeze({ failures: 0, windowMs: 0 }), login: Object.freeze({ failures: 0, windowMs: 0 }) });

// Enough for every address of a busy day; past it the entry whose window ends first goes.
const MAX_KEYS = 50_000;

/** Failures per key in fixed windows. Every window has the same length, so insertion order is expiry order. */
class FailureCounter {
  private readonly entries = new Map<string, { count: number; until: number }>();

  constructor(private readonly limit: FailureLimit) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  lockedFor(key: string, t: number): number {
    const e = this.entries.get(key);
    return e && e.count >= this.limit.failures && t < e.until ? e.until - t : 0;
  }

  fail(key: string, t: number): void {
    if (this.limit.failures <= 0) return;
    const e = this.entries.get(key);
    if (e && t < e.until) {
      e.count += 1;
      return;
    }
    this.entries.delete(key);
    if (this.entries.size >= MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { count: 1, until: t + this.limit.windowMs });
  }

  /** Takes back one failure of the current window (an attempt that turned out right). */
  release(key: string, t: number): void {
    const e = this.entries.get(key);
    if (e && t < e.until && e.count > 0) e.count -= 1;
  }
}

/**
 * Counts refused credentials per client address, and failed inbox logins also per login name, in
 * this process; a locked caller gets 429 `too_many_failures` before its credential is checked.
 * The login route counts its attempts itself; every other refusal is seen by the hooks as a 401
 * answer to a request that presented a credential.
 *
 * @example
 * const wait = throttle.attempt(req, loginName);
 * if (wait > 0) return throttle.refuse(reply, wait);
 * if (ok) throttle.succeeded(req, loginName);
 */
export class AuthThrottle implements LoginThrottle {
  private readonly addresses: FailureCounter;
  private readonly logins: FailureCounter;
  // Requests a route already counted, so the 401 they end in is not counted again.
  private readonly counted = new WeakSet<FastifyRequest>();

  constructor(limits: AuthFailureLimits = AUTH_FAILURE_LIMITS, private readonly now: () => number = () => Date.now()) {
    this.addresses = new FailureCounter(limits.address);
    this.logins = new FailureCounter(limits.login);
  }

  /** Seconds until this caller (and this login name, if given) may try to authenticate again; 0 when it may now. */
  retryAfter(req: FastifyRequest, login?: string): number {
    const t = this.now();
    const ms = Math.max(this.addresses.lockedFor(clientAddress(req.ip), t), login === undefined ? 0 : this.logins.lockedFor(login, t));
    return Math.ceil(ms / 1000);
  }

  /**
   * A login attempt: the seconds to wait when the caller or the name is locked, else 0, and the
   * attempt counts as a failure until `succeeded` takes it back. Counted before the password is
   * checked, because checking takes a while: many guesses sent at once would otherwise all be
   * checked before the first failure was counted.
   */
  attempt(req: FastifyRequest, login: string): number {
    const wait = this.retryAfter(req, login);
    if (wait === 0) this.failed(req, login);
    return wait;
  }

  /** The attempt was right: it is no failure. A lock that stands is not lifted (no attempt passes one). */
  succeeded(req: FastifyRequest, login: string): void {
    const t = this.now();
    this.addresses.release(clientAddress(req.ip), t);
    this.logins.release(login, t);
  }

  /** Counts a refused credential against the caller's address and, for a login, its name. */
  failed(req: FastifyRequest, login?: string): void {
    const t = this.now();
    this.counted.add(req);
    this.addresses.fail(clientAddress(req.ip), t);
    if (login !== undefined) this.logins.fail(login, t);
  }

  /** onRequest: a locked address may not present a credential. */
  readonly onRequest = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (presentedCredential(req) === undefined) return;
    const wait = this.retryAfter(req);
    if (wait > 0) await this.refuse(reply, wait);
  };

  /** onResponse: a 401 to a request that presented a credential is a refused credential. */
  readonly onResponse = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (reply.statusCode === 401 && !this.counted.has(req) && presentedCredential(req) !== undefined) this.failed(req);
  };

  /** The 429 a locked caller gets, with `Retry-After` and the time it may try again. */
  refuse(reply: FastifyReply, seconds: number): FastifyReply {
    const at = new Date(this.now() + seconds * 1000).toISOString().slice(11, 19);
    return reply.status(429).header('retry-after', String(seconds)).send(errorBody('too_many_failures', `Too many failed authentications from this address or for this login; try again in ${seconds} s (after ${at} UTC).`, { retryAfterSeconds: seconds }));
  }
}
