import type { WebSocket } from 'ws';
import type { Queries } from '../../core/queries.js';
import type { LiveBus, LivePayload } from '../../live/live-bus.js';
import { SocketSet } from '../../live/socket-set.js';
import { visitorMessage } from './visitor-message.js';

/**
 * Visitors' open chat pages on this process, by conversation. A `visitor` message on the live bus
 * names a message of a conversation; if one of its visitors is connected here, the message is
 * read from the store and pushed to them.
 */
export class VisitorHub {
  private readonly sockets = new SocketSet<null>();
  private readonly unsubscribe: () => void;

  constructor(
    bus: LiveBus,
    private readonly queries: Queries,
    private readonly log: { warn(obj: unknown, msg: string): void },
  ) {
    this.unsubscribe = bus.subscribe((p) => void this.forward(p));
  }

  add(accountId: string, conversationId: string, socket: WebSocket): void {
    this.sockets.add(key(accountId, conversationId), socket, null);
    socket.send(JSON.stringify({ type: 'ready' }));
  }

  private async forward(p: LivePayload): Promise<void> {
    if (p.topic !== 'visitor' || typeof p.conversationId !== 'string' || typeof p.messageId !== 'string') return;
    const k = key(p.accountId, p.conversationId);
    if (!this.sockets.has(k)) return;
    try {
      const [message, agents] = await Promise.all([this.queries.message(p.accountId, p.messageId), this.queries.agents(p.accountId)]);
      if (message.conversationId !== p.conversationId) return;
      this.sockets.send(k, { type: 'message', message: visitorMessage(message, agents) });
    } catch (err) {
      this.log.warn({ err }, 'pushing a message to a visitor failed; their page reads it on reconnect');
    }
  }

  close(): void {
    this.unsubscribe();
    this.sockets.close();
  }
}

function key(accountId: string, conversationId: string): string {
  return `${accountId}\n${conversationId}`;
}
