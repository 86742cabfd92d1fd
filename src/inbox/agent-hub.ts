import type { WebSocket } from 'ws';
import type { LiveBus, LivePayload } from '../live/live-bus.js';
import { SocketSet } from '../live/socket-set.js';
import { TYPING_TOPIC } from '../live/typing.js';

const AGENT_TOPICS = new Set(['conversation', 'agents', TYPING_TOPIC]);

/**
 * The inbox pages of this process, by account. What the live bus says about an account goes to
 * every agent of it that has the inbox open here; nothing crosses accounts. When an agent's last
 * page here closes and stays closed for `graceMs`, `onAway` runs (it sets them offline), so a
 * closed laptop does not leave an agent "online" for availability checks.
 */
export class AgentHub {
  private readonly sockets = new SocketSet<{ agentId: string }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly unsubscribe: () => void;

  constructor(
    bus: LiveBus,
    private readonly onAway: (accountId: string, agentId: string) => Promise<void>,
    private readonly graceMs = 60_000,
  ) {
    this.unsubscribe = bus.subscribe((p) => this.forward(p));
  }

  add(accountId: string, agentId: string, socket: WebSocket): void {
    const key = `${accountId}\n${agentId}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.sockets.add(accountId, socket, { agentId }, (_meta, remaining) => {
      if (remaining.some((m) => m.agentId === agentId)) return;
      const t = setTimeout(() => {
        this.timers.delete(key);
        if (this.sockets.members(accountId).some((m) => m.agentId === agentId)) return;
        void this.onAway(accountId, agentId).catch(() => {});
      }, this.graceMs);
      t.unref();
      this.timers.set(key, t);
    });
    socket.send(JSON.stringify({ topic: 'hello' }));
  }

  private forward(p: LivePayload): void {
    if (!AGENT_TOPICS.has(p.topic)) return;
    // Agents hear their visitors typing; their own typing is for the visitor.
    if (p.topic === TYPING_TOPIC && p.from !== 'visitor') return;
    const { accountId, ...rest } = p;
    this.sockets.send(accountId, rest);
  }

  close(): void {
    this.unsubscribe();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.sockets.close();
  }
}
