import type { Message } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';

const PAGE = 500;

/**
 * The categories a content was given when it came in. Seed 003 keeps the two apart: a content is
 * categorised on import ("The first Customer Message is automatically categorized ... as BOT"), and
 * recategorising the thread afterwards leaves earlier contents as they were ("contents will still
 * be categorized as AGENT"). The event that recorded the content carries the thread's categories of
 * that moment; null when the log no longer has it.
 */
export async function contentCategories(queries: Queries, accountId: string, m: Message): Promise<string[] | null> {
  let after = 0;
  for (;;) {
    const page = await queries.events(accountId, m.conversationId, after, PAGE);
    for (const e of page.items) {
      if ((e.type === 'message.received' || e.type === 'message.sent') && e.data.messageId === m.id) {
        const c = e.data.categories;
        return Array.isArray(c) && c.every((x) => typeof x === 'string') ? (c as string[]) : null;
      }
    }
    if (page.next === null) return null;
    after = page.next;
  }
}
