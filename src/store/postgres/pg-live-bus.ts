import { type Kysely, sql } from 'kysely';
import { isLivePayload, type LiveBus, type LivePayload } from '../../live/live-bus.js';
import type { Database } from '../schema.js';
import { PgListener } from './pg-listener.js';

const MAX_PAYLOAD_BYTES = 7900;

/**
 * The live bus across processes: NOTIFY on publish, one LISTEN connection per process. A lost
 * connection is re-established after a second; what was published meanwhile is missed, which
 * browsers make up for by reading the store again when they reconnect and every half minute.
 */
export class PgLiveBus implements LiveBus {
  private listener: PgListener | null = null;
  private closed = false;
  private readonly listeners = new Set<(payload: LivePayload) => void>();

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly db: Kysely<Database>,
  ) {}

  async publish(payload: LivePayload): Promise<void> {
    const text = JSON.stringify(payload);
    if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) throw new Error(`live payload of ${Buffer.byteLength(text)} bytes is over the NOTIFY limit`);
    await sql`select pg_notify(${this.channel}, ${text})`.execute(this.db);
  }

  subscribe(listener: (payload: LivePayload) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.closed) return;
    this.listener ??= new PgListener(this.url, this.channel, (text) => {
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        return;
      }
      if (!isLivePayload(payload)) return;
      for (const l of this.listeners) l(payload);
    });
    await this.listener.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.listener?.close();
  }
}
