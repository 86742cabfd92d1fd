import { type Conversation, currentThread, type Thread } from '../../core/conversation.js';
import { parseThreadId } from '../../core/ids.js';
import type { Queries } from '../../core/queries.js';

const PAGE = 500;

/** What the log says of one content: the thread it came in and the categories it came in with. */
export interface ContentRecord {
  threadId: string;
  /** Null when the event does not carry them (then the thread's of now stand in). */
  categories: string[] | null;
}

/**
 * What a conversation's event log tells of its threads (DESIGN.md section 4), read in one pass:
 * every thread with the time it started (the first one at the conversation's creation, each later
 * one at its first customer message), each content's record, and when each intervention id first
 * appeared. Seed 003 keeps a content's categories as they were on import ("contents will still be
 * categorized as AGENT"), and a content, an intervention, stays in the thread it belonged to.
 */
export interface ThreadLog {
  threads: Thread[];
  contents: Map<string, ContentRecord>;
  interventions: Map<string, string>;
}

function strings(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
}

export async function threadLog(queries: Queries, accountId: string, conv: Conversation): Promise<ThreadLog> {
  const log: ThreadLog = { threads: [{ id: conv.id, number: 1, startedAt: conv.createdAt }], contents: new Map(), interventions: new Map() };
  let after = 0;
  for (;;) {
    const page = await queries.events(accountId, conv.id, after, PAGE);
    for (const e of page.items) {
      const d = e.data;
      // Events of the first thread name none: its id is the conversation's.
      const threadId = typeof d.threadId === 'string' ? d.threadId : conv.id;
      if ((e.type === 'message.received' || e.type === 'message.sent') && typeof d.messageId === 'string') {
        log.contents.set(d.messageId, { threadId, categories: strings(d.categories) });
        if (e.type === 'message.received' && d.first === true && threadId !== conv.id) log.threads.push({ id: threadId, number: parseThreadId(threadId).number, startedAt: e.at });
      }
      for (const id of [d.agentSessionId, d.workItemId]) if (typeof id === 'string' && !log.interventions.has(id)) log.interventions.set(id, e.at);
    }
    if (page.next === null) return log;
    after = page.next;
  }
}

/** The thread that was current at `at`. */
export function threadAt(threads: Thread[], at: string): Thread {
  return threads.filter((t) => t.startedAt <= at).at(-1) ?? threads[0]!;
}

/**
 * The thread an intervention belongs to: the current one, without reading the log, when it was
 * opened since that thread started; else the one it was opened (or first seen) in.
 */
export async function interventionThread(queries: Queries, accountId: string, conv: Conversation, id: string, openedAt: string | null): Promise<Thread> {
  const now = currentThread(conv);
  if (openedAt !== null && openedAt >= now.startedAt) return now;
  const log = await threadLog(queries, accountId, conv);
  const at = openedAt ?? log.interventions.get(id);
  return at === undefined ? now : threadAt(log.threads, at);
}
