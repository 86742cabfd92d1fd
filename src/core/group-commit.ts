import type { Store, StoreTx } from './ports.js';
import { WriteConflict } from './ports.js';
import type { Span } from '@opentelemetry/api';
import { nowMs, recordCommit, tracer } from './tracing.js';

interface Job {
  work: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  conflicts: number;
  urgent: boolean;
  /** The command's trace span, when tracing is on. */
  span: Span | null;
}

const MAX_CONFLICT_RETRIES = 5;

/** While urgent commands wait, a batch still takes this many routine ones (a quarter of a full batch): they never starve, and a burst of them still commits in few transactions. */
const ROUTINE_SHARE = 16;

/**
 * Group commit: commands that arrive while a transaction is running are run together in the next
 * one, in arrival order, so a burst costs one commit (one WAL flush on PostgreSQL) instead of one
 * each. A batch is all or nothing: if any command in it fails, the batch is rolled back and each of
 * its commands runs again on its own, so one bad request never takes others with it. Under light
 * load every batch holds one command and nothing waits.
 *
 * Commands a person waits for (a customer's message, a reply to one) are `urgent`: when the
 * writer is the bottleneck they go before a backlog of routine ones (a burst of control calls),
 * which still get a few places in every batch.
 */
export class GroupCommit {
  private readonly queue: Job[] = [];
  private readonly urgent: Job[] = [];
  private active = 0;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    /** Transactions in flight at once: 1 for SQLite's single writer, a few for a PostgreSQL pool. */
    private readonly concurrency: number,
    private readonly maxBatch = 64,
  ) {}

  submit<T>(work: (tx: StoreTx) => Promise<T>, urgent = false, span: Span | null = null): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (urgent ? this.urgent : this.queue).push({ work, resolve: resolve as (v: unknown) => void, reject, conflicts: 0, urgent, span });
      this.schedule();
    });
  }

  /** Urgent jobs first; routine ones fill the batch, or a few places of it while urgent ones wait. */
  private nextBatch(): Job[] {
    const urgent = this.urgent.splice(0, this.maxBatch);
    const room = urgent.length === 0 ? this.maxBatch : Math.min(ROUTINE_SHARE, this.maxBatch - urgent.length);
    return [...urgent, ...this.queue.splice(0, room)];
  }

  /**
   * Starts the next batch after the current I/O phase: requests parsed in the same turn of the
   * event loop join one transaction. (A SQLite transaction never yields to I/O, so without this
   * wait every batch would hold exactly one command.)
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length + this.urgent.length > 0) {
      const batch = this.nextBatch();
      this.active++;
      void this.runBatch(batch).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]!);
    let values: unknown[];
    const startedAt = tracer ? nowMs() : 0;
    try {
      values = await this.store.transaction(async (tx) => {
        const out: unknown[] = [];
        for (const job of batch) out.push(await job.work(tx));
        return out;
      });
    } catch {
      if (tracer) recordCommit(tracer, batch.map((j) => j.span), startedAt, false);
      // Whatever failed, nothing of the batch was kept: each command gets its own transaction.
      await Promise.all(batch.map((job) => this.runAlone(job)));
      return;
    }
    if (tracer) recordCommit(tracer, batch.map((j) => j.span), startedAt, true);
    batch.forEach((job, i) => job.resolve(values[i]));
  }

  private async runAlone(job: Job): Promise<void> {
    const startedAt = tracer ? nowMs() : 0;
    try {
      const value = await this.store.transaction((tx) => job.work(tx));
      if (tracer) recordCommit(tracer, [job.span], startedAt, true);
      job.resolve(value);
    } catch (err) {
      if (tracer) recordCommit(tracer, [job.span], startedAt, false);
      // Another writer won a race (two first messages of one chat): run again, it will see the winner.
      if (err instanceof WriteConflict && job.conflicts < MAX_CONFLICT_RETRIES) {
        job.conflicts++;
        (job.urgent ? this.urgent : this.queue).push(job);
        this.schedule();
        return;
      }
      job.reject(err);
    }
  }
}
