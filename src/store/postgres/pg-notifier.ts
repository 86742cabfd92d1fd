import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { StoreNotifier } from '../kysely-store.js';
import type { Database } from '../schema.js';

/**
 * Cross-process wake-ups over LISTEN/NOTIFY: a commit in one Baton process wakes the outbox
 * dispatchers of all the others at once instead of at their next poll. Bursts of commits are
 * coalesced into one NOTIFY per event-loop turn. A lost connection is re-established; until then
 * the dispatchers' polling keeps everything moving.
 */
export class PgNotifier implements StoreNotifier {
  private client: pg.Client | null = null;
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
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', () => onWake());
    client.on('error', () => {
      // Reconnection is handled by the 'end' listener below.
    });
    client.on('end', () => {
      this.client = null;
      if (!this.closed) setTimeout(() => void this.listen(onWake).catch(() => {}), 1000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      this.client = client;
    } catch {
      await client.end().catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
  }
}
