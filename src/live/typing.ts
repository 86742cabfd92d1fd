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

/**
 * One signal per sender (a socket, an agent in a conversation) every period, with a burst of two:
 * a page starts afresh after each message it sends, so its first signal for the next one may
 * come soon after the last for the one before.
 */
export class TypingThrottle<K extends object | string = object | string> {
  private readonly byKey = new Map<K, Bucket>();
  private readonly byObject = new WeakMap<object, Bucket>();

  constructor(private readonly everyMs = TYPING_EVERY_MS, private readonly now: () => number = Date.now) {}

  allows(sender: K): boolean {
    const t = this.now();
    const before = typeof sender === 'string' ? this.byKey.get(sender) : this.byObject.get(sender);
    const tokens = before ? Math.min(BURST, before.tokens + (t - before.at) / this.everyMs) : BURST;
    if (tokens < 1) return false;
    const bucket = { tokens: tokens - 1, at: t };
    if (typeof sender === 'string') {
      if (this.byKey.size > 10_000) this.byKey.clear();
      this.byKey.set(sender, bucket);
    } else this.byObject.set(sender, bucket);
    return true;
  }
}

const BURST = 2;
interface Bucket {
  tokens: number;
  at: number;
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
