/** A socket that comes back by itself; `reconnectNow` skips the wait when the page knows the server is back. */
export interface LiveSocket {
  close(): void;
  reconnectNow(): void;
}

/**
 * A WebSocket that comes back by itself: after a drop it reconnects with a growing delay (up to
 * 10 s) and calls `onOpen` again, where the page reads everything anew, since whatever was
 * pushed while it was away is lost. `onState(false)` comes with every drop and every failed try.
 */
export function liveSocket(path: string, handlers: { onOpen(ws: WebSocket): void; onMessage(data: unknown): void; onState?(connected: boolean): void }): LiveSocket {
  let ws: WebSocket | null = null;
  let stopped = false;
  let delay = 500;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connect = () => {
    timer = undefined;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
    const socket = new WebSocket(url);
    ws = socket;
    socket.onopen = () => {
      delay = 500;
      handlers.onState?.(true);
      handlers.onOpen(socket);
    };
    socket.onmessage = (e) => {
      try {
        handlers.onMessage(JSON.parse(String(e.data)));
      } catch {
        // not ours
      }
    };
    socket.onclose = () => {
      if (ws !== socket || stopped) return;
      ws = null;
      handlers.onState?.(false);
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  connect();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      ws?.close();
    },
    reconnectNow() {
      if (stopped || ws !== null || timer === undefined) return;
      clearTimeout(timer);
      connect();
    },
  };
}
