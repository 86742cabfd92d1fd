import type { ConversationEvent } from '../core/events.js';
import type { Message } from '../core/model.js';

/**
 * The latest of the agents' messages the customer's channel reported read (`message.status`
 * `read`, from the web chat or the native API), for the inbox's small "Read" under it; null when
 * none was. One mark, under the last: what is read after an earlier message says that one was too.
 */
export function lastReadMessage(messages: readonly Message[], events: readonly ConversationEvent[]): string | null {
  const read = new Set(events.filter((e) => e.type === 'message.status' && e.data.status === 'read').map((e) => e.data.messageId));
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.author.kind === 'agent' && read.has(m.id)) return m.id;
  }
  return null;
}
