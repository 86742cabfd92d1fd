import { useEffect, useRef, useState } from 'preact/hooks';
import type { InboxApi } from './inbox-api.js';

/** How often the reply box says the agent is typing, and how long "… is typing" stays after the last signal. */
const SEND_EVERY_MS = 2_500;
const SHOWN_MS = 5_000;

type Listener = (conversationId: string) => void;
const listeners = new Set<Listener>();

/** The desk's socket heard a visitor typing (topic `typing`): the open conversation of theirs shows it. */
export function visitorTyped(conversationId: string): void {
  for (const l of listeners) l(conversationId);
}

/**
 * Whether the visitor of this conversation is typing: true for a few seconds after each signal,
 * false at once when `lastCustomerAt` moves (their message came).
 */
export function useVisitorTyping(conversationId: string, lastCustomerAt: string | null): boolean {
  const [typing, setTyping] = useState(false);
  const expiry = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    const l: Listener = (id) => {
      if (id !== conversationId) return;
      setTyping(true);
      clearTimeout(expiry.current);
      expiry.current = setTimeout(() => setTyping(false), SHOWN_MS);
    };
    listeners.add(l);
    return () => {
      listeners.delete(l);
      clearTimeout(expiry.current);
    };
  }, [conversationId]);
  useEffect(() => {
    clearTimeout(expiry.current);
    setTyping(false);
  }, [lastCustomerAt]);
  return typing;
}

/**
 * Tells the visitor the agent is typing while the reply draft changes, at most one call every few
 * seconds. `active` is false for a private note, and wherever the visitor would not see it.
 */
export function useTypingSignal(api: InboxApi, conversationId: string, draft: string, active: boolean): void {
  const last = useRef(0);
  const before = useRef(draft);
  useEffect(() => {
    const changed = draft !== before.current;
    before.current = draft;
    // A sent (or cleared) draft: the next words are news again at once.
    if (!draft.trim()) last.current = 0;
    if (!active || !changed || !draft.trim()) return;
    const now = Date.now();
    if (now - last.current < SEND_EVERY_MS) return;
    last.current = now;
    void api.typing(conversationId).catch(() => {});
  }, [draft, active, api, conversationId]);
}
