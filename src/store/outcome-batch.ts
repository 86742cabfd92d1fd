import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

interface Job<F, T> {
  /** The common case, settled together with the others of its batch in a few statements. */
  fast?: F;
  /** Records the outcome on its own; for a fast job, only when the batch could not settle it. */
  work: (trx: Transaction<Database>) => Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

/**
 * Settles the fast jobs of a batch in one go; null for a job it could not settle, which then
 * runs its own `work` in the same transaction.
 */
export type SettleFast<F, T> = (trx: Transaction<Database>, items: F[]) => Promise<(T | null)[]>;

/**
 * Outcomes of deliveries that finish in the same turn of the event loop are recorded in one
 * transaction: under load a commit serves many deliveries instead of one each, and the common
 * outcome (delivered, nothing more queued) is written for the whole batch in multi-row statements.
 * As with the commands' group commit, a batch is all or nothing: when it fails, each outcome is
 * recorded on its own, so one conflict (two processes' batches locking the same cursors) costs no
 * other outcome.
 */
export class OutcomeBatch<F, T> {
  private queue: Job<F, T>[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly settle: SettleFast<F, T>,
    private readonly maxBatch = 64,
  ) {}

  run(work: (trx: Transaction<Database>) => Promise<T>, fast?: F): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve, reject, ...(fast !== undefined ? { fast } : {}) });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        let values: T[];
        try {
          values = await this.db.transaction().execute((trx) => this.record(trx, batch));
        } catch (err) {
          if (batch.length === 1) {
            batch[0]!.reject(err);
            continue;
          }
          for (const job of batch) await this.alone(job);
          continue;
        }
        batch.forEach((job, i) => job.resolve(values[i]!));
      }
    } finally {
      this.running = false;
    }
  }

  private async record(trx: Transaction<Database>, batch: Job<F, T>[]): Promise<T[]> {
    const fast = batch.filter((j) => j.fast !== undefined);
    const settled = new Map<Job<F, T>, T>();
    if (fast.length > 0) {
      const got = await this.settle(trx, fast.map((j) => j.fast!));
      fast.forEach((j, i) => {
        const v = got[i];
        if (v !== null && v !== undefined) settled.set(j, v);
      });
    }
    const out: T[] = [];
    for (const job of batch) out.push(settled.has(job) ? settled.get(job)! : await job.work(trx));
    return out;
  }

  private async alone(job: Job<F, T>): Promise<void> {
    try {
      job.resolve((await this.db.transaction().execute((trx) => this.record(trx, [job])))[0]!);
    } catch (err) {
      job.reject(err);
    }
  }
}
