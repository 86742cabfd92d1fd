import type { Conversation } from '../../core/conversation.js';

/**
 * Chatwoot's conversation statuses. In its agent-bot model a conversation the bot holds is
 * `pending` and one the humans hold is `open`; `resolved` is closed and `snoozed` parked.
 *
 *   pending --toggle_status open (handover)--> open --toggle_status resolved--> resolved
 *      ^                                        |  \--agent defers--> snoozed
 *      +-------toggle_status pending (handback)-+
 */
export const CHATWOOT_STATUSES = Object.freeze(['open', 'pending', 'resolved', 'snoozed'] as const);
export type ChatwootStatus = (typeof CHATWOOT_STATUSES)[number];

export function isChatwootStatus(v: unknown): v is ChatwootStatus {
  return typeof v === 'string' && (CHATWOOT_STATUSES as readonly string[]).includes(v);
}

/** What Chatwoot would call the conversation's state. */
export function chatwootStatus(conv: Conversation): ChatwootStatus {
  if (conv.status === 'closed') return 'resolved';
  if (conv.controller === 'bot') return 'pending';
  if (conv.agentSession?.status === 'deferred') return 'snoozed';
  return 'open';
}
