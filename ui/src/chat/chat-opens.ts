import { useEffect, useRef } from 'preact/hooks';

/**
 * Calls `onOpen` once per open of the chat: when the page loads (the widget makes its frame as it
 * first opens, and the chat page is open when loaded) and each time the widget opens it again
 * after a close (its `shown` message).
 */
export function useChatOpens(embedded: boolean, onOpen: () => void): void {
  const latest = useRef(onOpen);
  latest.current = onOpen;
  useEffect(() => {
    let open = true;
    latest.current();
    const onMessage = (e: MessageEvent) => {
      const d = e.data as { baton?: string; open?: unknown } | null;
      if (!embedded || e.source !== window.parent || d?.baton !== 'shown' || typeof d.open !== 'boolean') return;
      if (d.open && !open) latest.current();
      open = d.open;
    };
    addEventListener('message', onMessage);
    return () => removeEventListener('message', onMessage);
  }, [embedded]);
}
