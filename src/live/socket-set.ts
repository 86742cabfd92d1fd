import type { WebSocket } from 'ws';

/**
 * Open browser sockets grouped by a key (an account, a visitor's conversation), with a ping every
 * 25 seconds so proxies and load balancers do not cut idle connections.
 */
export class SocketSet<Meta> {
  private readonly groups = new Map<string, Map<WebSocket, Meta>>();
  private readonly pinger: NodeJS.Timeout;

  constructor() {
    this.pinger = setInterval(() => {
      for (const group of this.groups.values()) for (const socket of group.keys()) if (socket.readyState === socket.OPEN) socket.ping();
    }, 25_000);
    this.pinger.unref();
  }

  add(key: string, socket: WebSocket, meta: Meta, onGone: (meta: Meta, remaining: Meta[]) => void = () => {}): void {
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = new Map()));
    group.set(socket, meta);
    socket.once('close', () => {
      const g = this.groups.get(key);
      g?.delete(socket);
      if (g && g.size === 0) this.groups.delete(key);
      onGone(meta, g ? [...g.values()] : []);
    });
  }

  has(key: string): boolean {
    return this.groups.has(key);
  }

  members(key: string): Meta[] {
    return [...(this.groups.get(key)?.values() ?? [])];
  }

  send(key: string, message: unknown): void {
    const group = this.groups.get(key);
    if (!group) return;
    const text = JSON.stringify(message);
    for (const socket of group.keys()) if (socket.readyState === socket.OPEN) socket.send(text);
  }

  close(): void {
    clearInterval(this.pinger);
    for (const group of this.groups.values()) for (const socket of group.keys()) socket.close(1001, 'Baton is shutting down');
    this.groups.clear();
  }
}
