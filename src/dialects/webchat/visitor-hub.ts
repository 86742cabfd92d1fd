import type { WebSocket } from 'ws';
import type { Queries } from '../../core/queries.js';
import type { LiveBus, LivePayload } from '../../live/live-bus.js';
import { SocketSet } from '../../live/socket-set.js';
import { TYPING_TOPIC, TypingThrottle, isTypingSignal } from '../../live/typing.js';
import { visitorMessage } from './visitor-message.js';

/** Events after which a visitor's page reads its chat again: who answers it has changed. */
/** Control events after which a chat is no longer in the queue ahead of others. */
const QUEUE_MOVES = new Set(['agent_session.assigned', 'agent_session.transferred', 'agent_session.closed', 'conversation.closed']);
const CONTROL_EVENTS = new Set(['handover', 'handover.rejected', 'takeover', 'handback', 'conversation.closed', 'conversation.reopened', 'agent_session.assigned', 'agent_session.transferred', 'agent_session.deferred', 'agent_session.closed', 'agent_session.reopened']);

/**
 * Visitors' open chat pages on this process, by conversation. A `visitor` message on the live bus
 * names a message of a conversation; if one of its visitors is connected here, the message is
 * read from the store and pushed to them. A change of control in their conversation (`changed`)
 * or of the account's agents' presence (`availability`) is only announced: the page reads its
 * history again, which says whether anyone is online and whether the chat waits for them.
 * Typing goes both ways and is never stored: a visitor's `{"type":"typing"}` is announced to their
 * account's agents, an agent's typing in their conversation to them (live/typing.ts).
 */
export class VisitorHub {
  private readonly sockets = new SocketSet<null>();
  /** The conversation keys with a visitor connected here, by account, for `availability`. */
  private readonly byAccount = new Map<string, Set<string>>();
  private readonly unsubscribe: () => void;

  private readonly typing = new TypingThrottle();

  constructor(
    private readonly bus: LiveBus,
    private readonly queries: Queries,
    private readonly log: { warn(obj: unknown, msg: string): void },
  ) {
    this.unsubscribe = bus.subscribe((p) => void this.forward(p));
  }

  add(accountId: string, conversationId: string, socket: WebSocket): void {
    const k = key(accountId, conversationId);
    const keys = this.byAccount.get(accountId) ?? new Set<string>();
    this.byAccount.set(accountId, keys.add(k));
    this.sockets.add(k, socket, null, (_meta, remaining) => {
      if (remaining.length > 0) return;
      keys.delete(k);
      if (keys.size === 0 && this.byAccount.get(accountId) === keys) this.byAccount.delete(accountId);
    });
    // What a page may say after its hello: only that its visitor is typing, at most one a throttle period.
    socket.on('message', (data: Buffer) => {
      if (!isTypingSignal(data) || !this.typing.allows(socket)) return;
      void this.bus.publish({ accountId, topic: TYPING_TOPIC, conversationId, from: 'visitor' }).catch(() => {});
    });
    socket.send(JSON.stringify({ type: 'ready' }));
  }

  private async forward(p: LivePayload): Promise<void> {
    if (p.topic === 'agents') {
      for (const k of this.byAccount.get(p.accountId) ?? []) this.sockets.send(k, { type: 'availability' });
      return;
    }
    if (p.topic === TYPING_TOPIC) {
      if (p.from === 'agent' && typeof p.conversationId === 'string') this.sockets.send(key(p.accountId, p.conversationId), { type: 'typing', name: typeof p.name === 'string' ? p.name : 'Agent' });
      return;
    }
    if (p.topic === 'conversation' && typeof p.conversationId === 'string' && typeof p.type === 'string' && CONTROL_EVENTS.has(p.type)) {
      const own = key(p.accountId, p.conversationId);
      this.sockets.send(own, { type: 'changed' });
      // A chat leaving the queue moves everyone behind it up: the account's other open pages read theirs again.
      if (QUEUE_MOVES.has(p.type)) for (const k of this.byAccount.get(p.accountId) ?? []) if (k !== own) this.sockets.send(k, { type: 'queue' });
      return;
    }
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
    this.byAccount.clear();
    this.sockets.close();
  }
}

function key(accountId: string, conversationId: string): string {
  return `${accountId}\n${conversationId}`;
}
