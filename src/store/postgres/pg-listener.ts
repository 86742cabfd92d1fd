import pg from 'pg';

/**
 * One LISTEN connection that comes back by itself: when the connection drops (a database restart)
 * it reconnects a second later and listens again. Until then, whoever relies on it polls as well.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onPayload: (payload: string) => void,
  ) {}

  async start(): Promise<void> {
    if (this.closed || this.client) return;
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => this.onPayload(msg.payload ?? ''));
    client.on('error', () => {
      // Reconnection is handled by the 'end' listener below.
    });
    client.on('end', () => {
      if (this.client === client) this.client = null;
      if (!this.closed) setTimeout(() => void this.start().catch(() => {}), 1000).unref();
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
    this.client = null;
  }
}
