import type { Card, Me } from './inbox-api.js';

const KEEP = 2000;

/**
 * What this agent has read: for each conversation, how many messages the customer had written
 * when the agent last had it open. Unread = the customer's messages since. Kept in this browser's
 * localStorage per account and agent (not on the server): another browser of the same agent
 * counts on its own, and a conversation never opened here counts all its customer messages.
 */
export class SeenStore {
  private readonly key: string;
  private seen: Record<string, number> = {};

  constructor(me: Pick<Me, 'account' | 'agent'>) {
    this.key = `baton.inbox.seen:${me.account.id}:${me.agent.id}`;
    this.reload();
  }

  /** Reads again what another tab of the same agent may have written. */
  reload(): void {
    try {
      const parsed: unknown = JSON.parse(localStorage.getItem(this.key) ?? '{}');
      this.seen = parsed && typeof parsed === 'object' ? (parsed as Record<string, number>) : {};
    } catch {
      this.seen = {};
    }
  }

  get storageKey(): string {
    return this.key;
  }

  unread(c: Card): number {
    return Math.max(0, c.customerMessages - (this.seen[c.id] ?? 0));
  }

  /** Returns whether anything changed. */
  markSeen(c: Card): boolean {
    if (this.seen[c.id] === c.customerMessages) return false;
    // Insertion order is the order of reading, so the oldest go first once there are too many.
    delete this.seen[c.id];
    this.seen[c.id] = c.customerMessages;
    const ids = Object.keys(this.seen);
    for (const id of ids.slice(0, Math.max(0, ids.length - KEEP))) delete this.seen[id];
    try {
      localStorage.setItem(this.key, JSON.stringify(this.seen));
    } catch {
      // Storage full or refused (private mode): what was read is known as long as the page lives.
    }
    return true;
  }
}
