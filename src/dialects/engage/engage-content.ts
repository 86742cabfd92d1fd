import type { Conversation } from '../../core/conversation.js';
import type { Message } from '../../core/model.js';

/**
 * How Baton's messages read as Engage contents (seed 003, the content.imported metadata), shared
 * by the webhook and the REST answers so both say the same thing about one content.
 */

/** Engage's content type names the source kind; every Baton channel is a one-to-one chat. */
export const DEFAULT_RESOURCE_TYPE = 'chat/message';

export function contentBody(m: Message): string {
  return m.content.text ?? m.content.postback?.title ?? m.content.media?.url ?? '';
}

/** Who wrote it: the customer's address, the bot component, or the agent. */
export function contentAuthorId(m: Message): string | null {
  return m.author.id;
}

/** The user who created it through Baton; customer contents have none (the document's `nil`). */
export function contentCreatorId(m: Message): string | null {
  return m.author.kind === 'customer' ? null : m.author.id;
}

/** Imported from the channel, posted through the API (bots), or written in the desk (agents). */
export function createdFrom(m: Message): string {
  if (m.author.kind === 'customer') return 'synchronizer';
  return m.author.kind === 'agent' ? 'interface' : 'api';
}

/** A customer content is `assigned` while someone handles the thread, `new` otherwise; answers are `replied`. */
export function contentStatus(m: Message, controller: unknown): string {
  if (m.author.kind !== 'customer') return 'replied';
  return controller === 'bot' || controller === 'desk' ? 'assigned' : 'new';
}

/** The customer's language when the channel or the bot told it (visitor or context `language`). */
export function threadLanguage(conv: Conversation): string | null {
  const v = conv.visitor.language ?? conv.context.language;
  return typeof v === 'string' ? v : null;
}

/** `YYYY-MM-DD` of an instant, in UTC (the document's `date`). */
export function dateOf(at: string): string {
  return at.slice(0, 10);
}

/** Engage REST timestamps carry whole seconds: `2012-05-21T01:15:28Z`. */
export function restTime(at: string | null | undefined): string | null {
  return at ? `${at.slice(0, 19)}Z` : null;
}
