/**
 * Typing indicators: "someone is typing" hints carried by the live bus alone, never the outbox or
 * the store, so a lost one costs nothing. A payload is
 * `{ accountId, topic: 'typing', conversationId, from: 'visitor' | 'agent', name? }`: the account
 * and conversation scope who hears it (the agents of that account; the visitor of that chat).
 * Pages send at most one every `TYPING_EVERY_MS` while typing and show one for `TYPING_SHOWN_MS`
 * after the last, or until the message itself arrives.
 */
export const TYPING_TOPIC = 'typing';
export const TYPING_EVERY_MS = 2_000;
export const TYPING_SHOWN_MS = 5_000;

/** At most one signal per sender (a socket, an agent in a conversation) in each period. */
export class TypingThrottle<K extends object | string = object | string> {
  private readonly last = new Map<K, number>();
  private readonly weak = new WeakMap<object, number>();

  constructor(private readonly everyMs = TYPING_EVERY_MS, private readonly now: () => number = Date.now) {}

  allows(sender: K): boolean {
    const t = this.now();
    const before = typeof sender === 'string' ? this.last.get(sender) : this.weak.get(sender);
    // A little slack: a page that sends every period exactly must not lose every other signal.
    if (before !== undefined && t - before < this.everyMs - 250) return false;
    if (typeof sender === 'string') {
      this.last.set(sender, t);
      if (this.last.size > 10_000) this.last.clear();
    } else this.weak.set(sender, t);
    return true;
  }
}

/** A page's message saying its visitor is typing, and nothing else. */
export function isTypingSignal(data: Buffer): boolean {
  if (data.length > 100) return false;
  try {
    return (JSON.parse(data.toString('utf8')) as { type?: unknown } | null)?.type === 'typing';
  } catch {
    return false;
  }
}
