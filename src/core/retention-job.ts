import type { Clock } from './clock.js';
import type { Account } from './model.js';
import { type RetentionCounts, addCounts, cutoff, noCounts, retentionOf } from './retention.js';

/** Where the last closed conversation a batch looked at stood, so the next batch goes on after it. */
export interface PurgePosition {
  updatedAt: string;
  id: string;
}

/** One run for one account: when, and what went. */
export interface RetentionRun {
  accountId: string;
  startedAt: string;
  finishedAt: string;
  deleted: RetentionCounts;
}

/**
 * What the job asks of the store. Each call is one short transaction over one small batch; rows
 * another process holds are passed over, not waited for.
 */
export interface RetentionStore {
  listAccounts(): Promise<Account[]>;
  /**
   * Deletes closed conversations last active before `before`, oldest first after `after`, whole
   * (messages, events, deliveries, attempts, cursors, timers, sessions, work items, files), about
   * `budget` events' worth at most. A conversation that still waits on a delivery is passed over.
   * `last` is where the batch stopped; null when nothing was left to look at.
   */
  purgeClosedConversations(accountId: string, before: string, after: PurgePosition | null, budget: number): Promise<{ deleted: Partial<RetentionCounts>; last: PurgePosition | null }>;
  /** Deletes up to `limit` delivered deliveries created before `before`, with their attempts. */
  pruneDeliveries(accountId: string, before: string, limit: number): Promise<{ deliveries: number; attempts: number }>;
  pruneIdempotencyKeys(accountId: string, before: string, limit: number): Promise<number>;
  pruneSessions(accountId: string, now: string, limit: number): Promise<number>;
  pruneAudit(accountId: string, before: string, limit: number): Promise<number>;
  recordRun(run: RetentionRun): Promise<void>;
}

export interface RetentionJobOptions {
  /** Rows per batch (statement and transaction) for the prunes; events' worth for conversations. */
  batch?: number;
  /** Between two batches: lets the traffic queued behind the store go first. */
  pause?: () => Promise<void>;
}

const yieldBriefly = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

/**
 * Deletes what each account's retention says is old, in small batches. One run at a time per
 * process; several processes on one PostgreSQL share the work through the store's skipped locks.
 *
 * @example const runs = await new RetentionJob(store, clock).run(); // one RetentionRun per account
 */
export class RetentionJob {
  private current: Promise<RetentionRun[]> | null = null;
  private stopped = false;
  private readonly batch: number;
  private readonly pause: () => Promise<void>;

  constructor(private readonly store: RetentionStore, private readonly clock: Clock, opts: RetentionJobOptions = {}) {
    this.batch = opts.batch ?? 200;
    this.pause = opts.pause ?? yieldBriefly;
  }

  /** Runs once over every account; a call while a run is under way joins it. */
  run(): Promise<RetentionRun[]> {
    this.current ??= this.runAll().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  /** Stops after the batch under way and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.catch(() => undefined);
  }

  private async runAll(): Promise<RetentionRun[]> {
    const runs: RetentionRun[] = [];
    for (const account of await this.store.listAccounts()) {
      if (this.stopped) break;
      runs.push(await this.runAccount(account));
    }
    return runs;
  }

  private async runAccount(account: Account): Promise<RetentionRun> {
    const now = this.clock.now();
    const policy = retentionOf(account);
    const deleted = noCounts();
    const id = account.id;
    const closedBefore = cutoff(now, policy.closedConversationsMs);
    if (closedBefore !== null) {
      let after: PurgePosition | null = null;
      do {
        const batch = await this.store.purgeClosedConversations(id, closedBefore, after, this.batch);
        addCounts(deleted, batch.deleted);
        after = batch.last;
      } while (after !== null && (await this.next()));
    }
    const deliveriesBefore = cutoff(now, policy.deliveriesMs);
    if (deliveriesBefore !== null) await this.repeat(() => this.store.pruneDeliveries(id, deliveriesBefore, this.batch), (n) => addCounts(deleted, n), (n) => n.deliveries);
    const keysBefore = cutoff(now, policy.idempotencyKeysMs);
    if (keysBefore !== null) await this.repeat(() => this.store.pruneIdempotencyKeys(id, keysBefore, this.batch), (n) => addCounts(deleted, { idempotencyKeys: n }), (n) => n);
    // A login past its expiry opens nothing: no setting keeps it.
    await this.repeat(() => this.store.pruneSessions(id, now.toISOString(), this.batch), (n) => addCounts(deleted, { sessions: n }), (n) => n);
    const auditBefore = cutoff(now, policy.auditMs);
    if (auditBefore !== null) await this.repeat(() => this.store.pruneAudit(id, auditBefore, this.batch), (n) => addCounts(deleted, { audit: n }), (n) => n);
    const run = { accountId: id, startedAt: now.toISOString(), finishedAt: this.clock.now().toISOString(), deleted };
    await this.store.recordRun(run);
    return run;
  }

  /** Batches until one comes back short (nothing more is old) or the job is stopped. */
  private async repeat<T>(batch: () => Promise<T>, add: (result: T) => void, size: (result: T) => number): Promise<void> {
    for (;;) {
      const result = await batch();
      add(result);
      if (size(result) < this.batch || !(await this.next())) return;
    }
  }

  private async next(): Promise<boolean> {
    if (this.stopped) return false;
    await this.pause();
    return !this.stopped;
  }
}
