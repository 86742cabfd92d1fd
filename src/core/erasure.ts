import type { Conversation } from './conversation.js';
import type { ConversationEvent } from './events.js';
import type { Message, MessageContent } from './model.js';

// What erasing a customer's data leaves. The skeleton stays (ids, times, authors, event types,
// who had control and when) so the history still adds up; everything a person wrote, or a bot
// learned about the customer, goes. These functions only decide; the store applies them to every
// copy it keeps (messages, events, delivery snapshots, idempotent answers).

/** Put where an error text was: a recipient's answer may echo what it was sent. */
export const ERASED_TEXT = '[erased]';

/** Event data fields that carry free text or customer facts: a handover's note and context, context changes, the page and browser of a widget open. */
const CONTENT_FIELDS = ['note', 'context', 'visitor', 'text', 'title', 'referer', 'browser'] as const;

/**
 * A message's content with only its kind left.
 *
 * @example erasedContent({ type: 'text', text: 'my card is 4111…' }) // => { type: 'text' }
 */
export function erasedContent(content: MessageContent): MessageContent {
  return { type: content.type };
}

export function erasedMessage(message: Message, at: string): Message {
  return { ...message, content: erasedContent(message.content), erasedAt: message.erasedAt ?? at };
}

/** Event data with its content-bearing fields emptied; ids, types and control data are kept. */
export function erasedEventData(data: Record<string, unknown>): Record<string, unknown> {
  const out = { ...data };
  for (const field of CONTENT_FIELDS) {
    if (!(field in out)) continue;
    const value = out[field];
    out[field] = value !== null && typeof value === 'object' ? (Array.isArray(value) ? [] : {}) : null;
  }
  return out;
}

export function erasedEvent(event: ConversationEvent): ConversationEvent {
  return { ...event, data: erasedEventData(event.data) };
}

/**
 * The conversation without what came from the customer or was said about them: the title (their
 * first message), the visitor fields, the context variables, a handover's note and context.
 */
export function erasedConversation<C extends Conversation>(conv: C): C {
  const out: C = { ...conv, title: null, visitor: {}, context: {} };
  if (conv.agentSession) out.agentSession = { ...conv.agentSession, note: null, context: {} };
  return out;
}

/** What a delivery was rendered from (DeliverySnapshot), or an idempotent command's stored answer. */
export interface ErasableRecord {
  conversation?: Conversation;
  event?: ConversationEvent;
  events?: ConversationEvent[];
  message?: Message | null;
}

/**
 * A stored JSON document that holds copies of the conversation, its events and a message (a
 * delivery's snapshot, an idempotent command's answer), erased the same way as the originals.
 */
export function erasedRecord<R extends ErasableRecord>(record: R, at: string): R {
  const out: R = { ...record };
  if (record.conversation) out.conversation = erasedConversation(record.conversation);
  if (record.event) out.event = erasedEvent(record.event);
  if (record.events) out.events = record.events.map(erasedEvent);
  if (record.message) out.message = erasedMessage(record.message, at);
  return out;
}
