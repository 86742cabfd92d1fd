/**
 * Live updates to browsers (agents' inboxes, web chat visitors). A process publishes; every
 * process with a subscriber hears it, itself included, so a browser connected to any process
 * gets the update. Payloads are small JSON hints ("conversation X changed"); the browser reads
 * the truth from the store. One process (SQLite): an in-process emitter. Several (PostgreSQL):
 * LISTEN/NOTIFY, which carries at most 8000 bytes per payload.
 */
export interface LiveBus {
  publish(payload: LivePayload): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (payload: LivePayload) => void): () => void;
  start(): Promise<void>;
  close(): Promise<void>;
}

export type LivePayload = { accountId: string; topic: string } & Record<string, unknown>;

/** The bus of a single process. */
export class LocalLiveBus implements LiveBus {
  private readonly listeners = new Set<(payload: LivePayload) => void>();

  async publish(payload: LivePayload): Promise<void> {
    // A copy through JSON, so subscribers see what a cross-process bus would deliver.
    const copy = JSON.parse(JSON.stringify(payload)) as LivePayload;
    for (const l of this.listeners) l(copy);
  }

  subscribe(listener: (payload: LivePayload) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

/** Checks what arrived over the wire before anyone relies on its shape. */
export function isLivePayload(v: unknown): v is LivePayload {
  return typeof v === 'object' && v !== null && typeof (v as LivePayload).accountId === 'string' && typeof (v as LivePayload).topic === 'string';
}
