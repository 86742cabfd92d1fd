/**
 * The event log's vocabulary. Every state change of a conversation appends one or more of these,
 * with a gapless per-conversation sequence number, in the transaction that made the change.
 * Every webhook any party receives is a rendering of one of them.
 */
export const EVENT_TYPES = [
  'conversation.opened',
  'conversation.reopened',
  'conversation.closed',
  'message.received',
  'message.sent',
  'message.status',
  'reply.refused',
  'bot_session.opened',
  'bot_session.closed',
  'handover',
  'handover.rejected',
  'takeover',
  'handback',
  'position.requested',
  'reset',
  'control.mutated',
  'control.offered',
  'control.offer_expired',
  'agent_session.opened',
  'agent_session.assigned',
  'agent_session.transferred',
  'agent_session.deferred',
  'agent_session.closed',
  'agent_session.reopened',
  'context.updated',
  'categories.updated',
  'work_item.opened',
  'work_item.closed',
  'bot.unavailable',
  'note.added',
  /** A visitor opened the web widget in a chat they already have (Chatwoot webwidget_triggered); delivered only to those who ask (fanout.ts). */
  'widget.opened',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** An event before the store numbers it. */
export interface EventDraft {
  type: EventType;
  data: Record<string, unknown>;
}

export interface ConversationEvent extends EventDraft {
  accountId: string;
  conversationId: string;
  seq: number;
  at: string;
}
