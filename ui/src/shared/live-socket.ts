/**
 * A WebSocket that comes back by itself: after a drop it reconnects with a growing delay (up to
 * 10 s) and calls `onOpen` again, where the page reads everything anew, since whatever was
 * pushed while it was away is lost.
 */
export function liveSocket(path: string, handlers: { onOpen(ws: WebSocket): void; onMessage(data: unknown): void; onState?(connected: boolean): void }): () => void {
  let ws: WebSocket | null = null;
  let stopped = false;
  let delay = 500;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connect = () => {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
    ws = new WebSocket(url);
    ws.onopen = () => {
      delay = 500;
      handlers.onState?.(true);
      handlers.onOpen(ws!);
    };
    ws.onmessage = (e) => {
      try {
        handlers.onMessage(JSON.parse(String(e.data)));
      } catch {
        // not ours
      }
    };
    ws.onclose = () => {
      handlers.onState?.(false);
      if (stopped) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    ws?.close();
  };
}
