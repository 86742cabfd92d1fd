import { type Kysely, sql } from 'kysely';
import type { StoreNotifier } from '../kysely-store.js';
import type { Database } from '../schema.js';
import { PgListener } from './pg-listener.js';

/**
 * Cross-process wake-ups over LISTEN/NOTIFY: a commit in one Baton process wakes the outbox
 * dispatchers of all the others at once instead of at their next poll. Bursts of commits are
 * coalesced into one NOTIFY per event-loop turn. A lost connection is re-established; until then
 * the dispatchers' polling keeps everything moving.
 */
export class PgNotifier implements StoreNotifier {
  private listener: PgListener | null = null;
  private pending = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly db: Kysely<Database>,
  ) {}

  notify(): void {
    if (this.pending || this.closed) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      sql`select pg_notify(${this.channel}, '')`.execute(this.db).catch(() => {
        // The listeners poll as well; a missed wake-up only delays work by one poll.
      });
    });
  }

  async listen(onWake: () => void): Promise<void> {
    if (this.closed) return;
    this.listener ??= new PgListener(this.url, this.channel, () => onWake());
    await this.listener.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.close();
  }
}
