/** An agent's login to the inbox (not to be confused with an agent session of a conversation). */
export interface LoginSession {
  accountId: string;
  agentId: string;
  /** Sent back by the browser in `x-csrf-token` on every mutating call. */
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

/** Inbox logins, by the digest of the random id the cookie carries; the store keeps them (store/login-sessions.ts). */
export interface LoginSessions {
  create(idHash: string, s: LoginSession): Promise<void>;
  /** The session, unless it is unknown or has expired by `now`. */
  get(idHash: string, now: string): Promise<LoginSession | undefined>;
  delete(idHash: string): Promise<void>;
  /** Drops every session that expired by `now`; returns how many. */
  deleteExpired(now: string): Promise<number>;
}
