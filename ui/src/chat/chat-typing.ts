import { useEffect, useRef, useState } from 'preact/hooks';

/** How often the page says the visitor is typing, and how long it shows an agent typing after the last word of it. */
const SEND_EVERY_MS = 2_500;
const SHOWN_MS = 5_000;

/**
 * Typing both ways, over the chat's socket only (src/live/typing.ts on the server): `typed()` on
 * each keystroke in the message box sends at most one signal every few seconds; `heard(name)`
 * (`sent()` starts afresh after a message) shows "<name> is typing…" until a few seconds pass without another, or `stop()` (their
 * message arrived).
 */
export function useChatTyping(socket: { current: WebSocket | null }) {
  const [agent, setAgent] = useState<string | null>(null);
  const lastSent = useRef(0);
  const expiry = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(expiry.current), []);
  return {
    agentTyping: agent,
    typed() {
      const ws = socket.current;
      const now = Date.now();
      if (!ws || ws.readyState !== WebSocket.OPEN || now - lastSent.current < SEND_EVERY_MS) return;
      lastSent.current = now;
      ws.send(JSON.stringify({ type: 'typing' }));
    },
    /** The visitor's message went: what they type next is news again at once. */
    sent() {
      lastSent.current = 0;
    },
    heard(name: string) {
      setAgent(name);
      clearTimeout(expiry.current);
      expiry.current = setTimeout(() => setAgent(null), SHOWN_MS);
    },
    stop() {
      clearTimeout(expiry.current);
      setAgent(null);
    },
  };
}

/** Whether the visitor can see the chat: the page visible and, in the widget, the chat open. */
export function useChatShown(embedded: boolean): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  // The widget creates the frame when it opens, and says when it closes or opens again.
  const [open, setOpen] = useState(true);
  useEffect(() => {
    const onVisibility = () => setVisible(document.visibilityState === 'visible');
    const onMessage = (e: MessageEvent) => {
      const d = e.data as { baton?: string; open?: unknown } | null;
      if (embedded && e.source === window.parent && d?.baton === 'shown' && typeof d.open === 'boolean') setOpen(d.open);
    };
    document.addEventListener('visibilitychange', onVisibility);
    addEventListener('message', onMessage);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      removeEventListener('message', onMessage);
    };
  }, [embedded]);
  return visible && open;
}
