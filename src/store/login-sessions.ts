import type { LoginSession, LoginSessions } from '../inbox/login-sessions.js';
import type { KyselyStore } from './kysely-store.js';

/**
 * Inbox logins, keyed by the digest of the random id the cookie carries. It lives beside the core
 * like the outbox does: routing never reads it.
 */
export class SessionStore implements LoginSessions {
  constructor(private readonly store: KyselyStore) {}

  private get db() {
    return this.store.kysely;
  }

  async create(idHash: string, s: LoginSession): Promise<void> {
    await this.db.insertInto('sessions').values({ id_hash: idHash, account_id: s.accountId, agent_id: s.agentId, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt }).execute();
  }

  /** The session, unless it is unknown or has expired by `now`. */
  async get(idHash: string, now: string): Promise<LoginSession | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
    return row && { accountId: row.account_id, agentId: row.agent_id, csrfToken: row.csrf_token, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  async delete(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  /** Drops every session that expired by `now`; returns how many. */
  async deleteExpired(now: string): Promise<number> {
    const res = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
