import type { Kysely, Transaction } from 'kysely';
import { auditEntry } from '../core/audit.js';
import type { Account } from '../core/model.js';
import type { RetentionCounts } from '../core/retention.js';
import type { PurgePosition, RetentionRun, RetentionStore } from '../core/retention-job.js';
import { CURSOR, DELIVERY } from '../delivery/outbox-states.js';
import type { KyselyStore } from './kysely-store.js';
import type { Database } from './schema.js';
import { deleteConversationFiles } from './files.js';

type Db = Kysely<Database> | Transaction<Database>;
type Recipient = { kind: 'component' | 'channel'; id: string };

/** Closed conversations looked at per batch; the events budget decides how many of them go. */
const CANDIDATES = 100;

/** The tables that grow with traffic, as `baton doctor` lists them. */
export const GROWING = ['conversations', 'messages', 'events', 'deliveries', 'delivery_attempts', 'idempotency_keys', 'sessions', 'audit_log', 'files'] as const;
export type GrowingTable = (typeof GROWING)[number];

/** Ids per `in (...)` list at most. */
const ID_CHUNK = 500;

/** Tables that hang off a conversation by (account_id, conversation_id), each with its index (migration 014). */
const BY_CONVERSATION = ['timers', 'bot_sessions', 'agent_sessions', 'work_items'] as const;

/**
 * The retention job's statements. Every batch selects its rows first and deletes them by key, so
 * one statement never touches more than a batch, on both engines (neither has a portable
 * `DELETE ... LIMIT`).
 *
 * On PostgreSQL each selection takes its rows `FOR UPDATE SKIP LOCKED`: processes sharing the
 * database divide the work without a leader or a lease to expire, and a conversation a request is
 * changing right now is passed over instead of waited for (and waits for us only as long as one
 * small batch). Under the lock the conditions hold for the rows taken: a conversation reopened
 * since the batch began is no longer closed, so it is not selected. SQLite has one writer; the
 * batch's transaction is atomic against every request, and short.
 */
export class KyselyRetention implements RetentionStore {
  constructor(private readonly store: KyselyStore) {}

  private get db(): Kysely<Database> {
    return this.store.kysely;
  }

  private locked<Q extends { forUpdate(): Q; skipLocked(): Q }>(q: Q): Q {
    return this.store.capabilities.rowLocks ? q.forUpdate().skipLocked() : q;
  }

  listAccounts(): Promise<Account[]> {
    return this.store.listAccounts();
  }

  async purgeClosedConversations(accountId: string, before: string, after: PurgePosition | null, budget: number): Promise<{ deleted: Partial<RetentionCounts>; last: PurgePosition | null }> {
    return this.db.transaction().execute(async (trx) => {
      // By conversations_status_idx (account_id, status, updated_at, id): oldest first, no scan.
      let q = trx.selectFrom('conversations').select(['id', 'last_seq', 'updated_at'])
        .where('account_id', '=', accountId).where('status', '=', 'closed').where('updated_at', '<', before);
      if (after) q = q.where((eb) => eb.or([eb('updated_at', '>', after.updatedAt), eb.and([eb('updated_at', '=', after.updatedAt), eb('id', '>', after.id)])]));
      const candidates = await this.locked(q.orderBy('updated_at').orderBy('id').limit(Math.min(CANDIDATES, budget))).execute();
      if (candidates.length === 0) return { deleted: {}, last: null };
      const recipients = await recipientsOf(trx, accountId);
      const waiting = await waitingConversations(trx, accountId, recipients, candidates.map((c) => c.id));
      // Whole conversations only, so a log is never half gone; one longer than the budget goes alone.
      const chosen: string[] = [];
      let events = 0;
      let last: PurgePosition | null = null;
      for (const c of candidates) {
        if (!waiting.has(c.id)) {
          if (chosen.length > 0 && events + Number(c.last_seq) > budget) break;
          chosen.push(c.id);
          events += Number(c.last_seq);
        }
        last = { updatedAt: c.updated_at, id: c.id };
      }
      return { deleted: await deleteConversations(trx, accountId, recipients, chosen, (d) => this.locked(d)), last };
    });
  }

  async pruneDeliveries(accountId: string, before: string, limit: number): Promise<{ deliveries: number; attempts: number }> {
    return this.db.transaction().execute(async (trx) => {
      const ids: string[] = [];
      // By deliveries_target_state_idx (account_id, target_kind, target_id, state, created_at), one recipient at a time.
      for (const r of await recipientsOf(trx, accountId)) {
        if (ids.length >= limit) break;
        const q = trx.selectFrom('deliveries').select('id').where('account_id', '=', accountId).where('target_kind', '=', r.kind).where('target_id', '=', r.id)
          .where('state', '=', DELIVERY.delivered).where('created_at', '<', before).orderBy('created_at').limit(limit - ids.length);
        for (const row of await this.locked(q).execute()) ids.push(row.id);
      }
      if (ids.length === 0) return { deliveries: 0, attempts: 0 };
      const attempts = await trx.deleteFrom('delivery_attempts').where('delivery_id', 'in', ids).executeTakeFirst();
      const deliveries = await trx.deleteFrom('deliveries').where('id', 'in', ids).executeTakeFirst();
      return { deliveries: Number(deliveries.numDeletedRows), attempts: Number(attempts.numDeletedRows) };
    });
  }

  async pruneIdempotencyKeys(accountId: string, before: string, limit: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const q = trx.selectFrom('idempotency_keys').select('key').where('account_id', '=', accountId).where('created_at', '<', before).orderBy('created_at').limit(limit);
      const keys = (await this.locked(q).execute()).map((r) => r.key);
      if (keys.length === 0) return 0;
      return Number((await trx.deleteFrom('idempotency_keys').where('account_id', '=', accountId).where('key', 'in', keys).executeTakeFirst()).numDeletedRows);
    });
  }

  async pruneSessions(accountId: string, now: string, limit: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const q = trx.selectFrom('sessions').select('id_hash').where('expires_at', '<=', now).where('account_id', '=', accountId).orderBy('expires_at').limit(limit);
      const ids = (await this.locked(q).execute()).map((r) => r.id_hash);
      if (ids.length === 0) return 0;
      return Number((await trx.deleteFrom('sessions').where('id_hash', 'in', ids).executeTakeFirst()).numDeletedRows);
    });
  }

  async pruneAudit(accountId: string, before: string, limit: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // By audit_log_account_idx (account_id, at, id).
      const q = trx.selectFrom('audit_log').select('id').where('account_id', '=', accountId).where('at', '<', before).orderBy('at').limit(limit);
      const ids = (await this.locked(q).execute()).map((r) => r.id);
      if (ids.length === 0) return 0;
      return Number((await trx.deleteFrom('audit_log').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
    });
  }

  /** Keeps the account's last run, and an audit line for a run that deleted anything: what went, and when, stays on record. */
  async recordRun(run: RetentionRun): Promise<void> {
    const row = { account_id: run.accountId, started_at: run.startedAt, finished_at: run.finishedAt, deleted: JSON.stringify(run.deleted) };
    await this.store.transaction(async (tx) => {
      if (Object.values(run.deleted).some((n) => n > 0)) await tx.appendAudit(auditEntry(run.accountId, run.finishedAt, 'retention.deleted', run.accountId, { ...run.deleted }));
    });
    await this.db.insertInto('retention_runs').values(row).onConflict((oc) => oc.column('account_id').doUpdateSet({ started_at: row.started_at, finished_at: row.finished_at, deleted: row.deleted })).execute();
  }

  /** Rows in each table that grows with traffic, for `baton doctor` (exact counts: it may take a while on big tables). */
  async tableSizes(): Promise<{ table: GrowingTable; rows: number }[]> {
    const out: { table: GrowingTable; rows: number }[] = [];
    for (const table of GROWING) {
      const row = await this.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      out.push({ table, rows: Number(row.n) });
    }
    return out;
  }

  /** The last run of each account, for `baton doctor`. */
  async lastRuns(): Promise<RetentionRun[]> {
    const found = await this.db.selectFrom('retention_runs').selectAll().orderBy('account_id').execute();
    return found.map((r) => ({ accountId: r.account_id, startedAt: r.started_at, finishedAt: r.finished_at, deleted: JSON.parse(r.deleted) as RetentionCounts }));
  }
}

/** Every component and channel of the account, removed ones included: who may hold deliveries. */
async function recipientsOf(db: Db, accountId: string): Promise<Recipient[]> {
  const components = await db.selectFrom('components').select('id').where('account_id', '=', accountId).orderBy('id').execute();
  const channels = await db.selectFrom('channels').select('id').where('account_id', '=', accountId).orderBy('id').execute();
  return [...components.map((c) => ({ kind: 'component' as const, id: c.id })), ...channels.map((c) => ({ kind: 'channel' as const, id: c.id }))];
}

/**
 * Conversations with a cursor that is not idle: something is still to be sent, parked until its
 * recipient can be reached, or blocked behind a failure awaiting a replay. Nothing undelivered is
 * deleted; such a conversation goes once its cursors are idle again.
 */
async function waitingConversations(db: Db, accountId: string, recipients: Recipient[], ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const r of recipients) {
    // By the cursor's key (account_id, target_kind, target_id, conversation_id).
    const found = await db.selectFrom('delivery_cursors').select('conversation_id').where('account_id', '=', accountId).where('target_kind', '=', r.kind).where('target_id', '=', r.id)
      .where('conversation_id', 'in', ids).where('state', '<>', CURSOR.idle).execute();
    for (const f of found) out.add(f.conversation_id);
  }
  return out;
}

type Lock = <Q extends { forUpdate(): Q; skipLocked(): Q }>(q: Q) => Q;

async function deleteConversations(trx: Transaction<Database>, accountId: string, recipients: Recipient[], ids: string[], lock: Lock): Promise<Partial<RetentionCounts>> {
  if (ids.length === 0) return {};
  const count = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
  let deliveries = 0;
  let attempts = 0;
  for (const r of recipients) {
    // By deliveries_order_idx (account_id, target_kind, target_id, conversation_id, seq).
    const mine = trx.selectFrom('deliveries').select('id').where('account_id', '=', accountId).where('target_kind', '=', r.kind).where('target_id', '=', r.id).where('conversation_id', 'in', ids);
    // A delivery another process is pruning right now is left to it: it deletes that row and its
    // attempts, and neither transaction waits for the other (no lock order to get wrong).
    const found = (await lock(mine).execute()).map((d) => d.id);
    // In chunks: a long conversation's deliveries would pass the engines' parameter limits.
    for (let i = 0; i < found.length; i += ID_CHUNK) {
      const part = found.slice(i, i + ID_CHUNK);
      attempts += count(await trx.deleteFrom('delivery_attempts').where('delivery_id', 'in', part).executeTakeFirst());
      deliveries += count(await trx.deleteFrom('deliveries').where('id', 'in', part).executeTakeFirst());
    }
    await trx.deleteFrom('delivery_cursors').where('account_id', '=', accountId).where('target_kind', '=', r.kind).where('target_id', '=', r.id).where('conversation_id', 'in', ids).execute();
  }
  const events = count(await trx.deleteFrom('events').where('account_id', '=', accountId).where('conversation_id', 'in', ids).executeTakeFirst());
  const messages = count(await trx.deleteFrom('messages').where('account_id', '=', accountId).where('conversation_id', 'in', ids).executeTakeFirst());
  for (const table of BY_CONVERSATION) await trx.deleteFrom(table).where('account_id', '=', accountId).where('conversation_id', 'in', ids).execute();
  const files = await deleteConversationFiles(trx, accountId, ids);
  const conversations = count(await trx.deleteFrom('conversations').where('account_id', '=', accountId).where('id', 'in', ids).executeTakeFirst());
  return { conversations, messages, events, deliveries, attempts, files };
}
