import type { ChatApi, ChatMessage } from './chat-api.js';

/** Answers: what bots and agents sent, the only messages with receipts. */
const isAnswer = (m: ChatMessage) => (m.from === 'agent' || m.from === 'bot') && !m.pending && !m.id.startsWith('local-');

/**
 * Reports to Baton what became of answers on this page: `delivered` once an answer is here, `read`
 * once it has been on screen (the chat open, the page visible). Baton takes each report once, so
 * sending one twice is harmless; the newest answer reported read is kept in this browser so a
 * reload does not report the whole history again. Reports never throw: a failed one is tried
 * again with the next look.
 */
export class ChatReceipts {
  private readonly sent = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private readonly key: string;

  constructor(private readonly api: ChatApi) {
    this.key = `baton.read-upto.${api.account}.${api.channel}`;
  }

  /** Called with the messages on the page, and whether the visitor can see them now. */
  look(messages: readonly ChatMessage[], shown: boolean): void {
    const upTo = this.readUpTo();
    for (const m of messages) {
      if (!isAnswer(m) || m.createdAt <= upTo) continue;
      this.report(m, 'delivered');
      if (shown) this.report(m, 'read');
    }
  }

  private report(m: ChatMessage, status: 'delivered' | 'read'): void {
    const id = `${m.id}:${status}`;
    if (this.sent.has(id)) return;
    this.sent.add(id);
    // One after another, so the sender hears delivered before read.
    this.chain = this.chain.then(async () => {
      try {
        await this.api.receipt(m.id, status);
        if (status === 'read' && m.createdAt > this.readUpTo()) this.store(m.createdAt);
      } catch {
        this.sent.delete(id);
      }
    });
  }

  private readUpTo(): string {
    try {
      return localStorage.getItem(this.key) ?? '';
    } catch {
      return '';
    }
  }

  private store(at: string): void {
    try {
      localStorage.setItem(this.key, at);
    } catch {
      // a full or refused storage only means a reload reports again
    }
  }
}
