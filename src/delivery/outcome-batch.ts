import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.js';

interface Job<T> {
  work: (trx: Transaction<Database>) => Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

/**
 * Outcomes of deliveries that finish in the same turn of the event loop are recorded in one
 * transaction: under load a commit serves many deliveries instead of one each. As with the
 * commands' group commit, a batch is all or nothing: when it fails, each outcome is recorded on
 * its own, so one conflict (two processes' batches locking the same cursors) costs no other outcome.
 */
export class OutcomeBatch {
  private queue: Job<unknown>[] = [];
  private running = false;
  private scheduled = false;

  constructor(private readonly db: Kysely<Database>, private readonly maxBatch = 64) {}

  run<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
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
        if (batch.length === 1) {
          await this.alone(batch[0]!);
          continue;
        }
        let values: unknown[];
        try {
          values = await this.db.transaction().execute(async (trx) => {
            const out: unknown[] = [];
            for (const job of batch) out.push(await job.work(trx));
            return out;
          });
        } catch {
          for (const job of batch) await this.alone(job);
          continue;
        }
        batch.forEach((job, i) => job.resolve(values[i]));
      }
    } finally {
      this.running = false;
    }
  }

  private async alone(job: Job<unknown>): Promise<void> {
    try {
      job.resolve(await this.db.transaction().execute((trx) => job.work(trx)));
    } catch (err) {
      job.reject(err);
    }
  }
}
