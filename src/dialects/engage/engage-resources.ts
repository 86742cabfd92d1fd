import { readsChannel } from '../../core/agent-scope.js';
import type { AgentSession, Conversation, Thread, WorkItem } from '../../core/conversation.js';
import type { Account, Agent, Channel, Component, Message } from '../../core/model.js';
import { contentAuthorId, contentBody, contentCreatorId, contentStatus, createdFrom, DEFAULT_RESOURCE_TYPE, restTime, threadLanguage } from './engage-content.js';

/**
 * Baton's state as Engage REST resources. Keys follow the documents (seed 003 for interventions
 * and threads); values Baton has no notion of are null, zero or empty rather than invented.
 */

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 1000));

/** The document's answer to POST /1.0/interventions, for an intervention a user opened itself, in thread `threadId`. */
export function workItemResource(conv: Conversation, w: WorkItem, threadId: string): Record<string, unknown> {
  const average = w.replies > 0 ? seconds(w.replyTimeTotalMs / w.replies) : null;
  const first = w.firstReplyAt ? seconds(Date.parse(w.firstReplyAt) - Date.parse(w.openedAt)) : null;
  const last = seconds(w.lastReplyTimeMs);
  return {
    id: w.id,
    created_at: restTime(w.openedAt),
    updated_at: restTime(w.closedAt ?? w.lastReplyAt ?? w.openedAt),
    source_id: conv.channelId,
    thread_id: threadId,
    content_id: w.messageId,
    deferred_at: null,
    identity_id: conv.customer,
    comments_count: 0,
    closed: w.closedAt !== null,
    closed_at: restTime(w.closedAt),
    custom_fields: {},
    category_ids: conv.categories,
    user_id: w.owner.id,
    user_replies_count: w.replies,
    // Baton keeps no business-hours calendar per account: the _bh figures equal the plain ones.
    user_reply_in_average: average,
    user_reply_in_average_bh: average,
    user_reply_in_average_count: w.replies,
    first_user_reply_id: w.firstReplyId,
    first_user_reply_in: first,
    first_user_reply_in_bh: first,
    last_user_reply_in: last,
    last_user_reply_in_bh: last,
    status: w.closedAt ? 'closed' : 'opened',
  };
}

/**
 * The humans' intervention (the agent session) in the same shape. `session` is null for an
 * earlier session of the thread, of which only the id is left: it is closed for sure.
 */
export function agentSessionResource(conv: Conversation, id: string, session: AgentSession | null, threadId: string): Record<string, unknown> {
  const replies = session ? session.replies ?? (session.hadAgentReply ? 1 : 0) : 0;
  return {
    id,
    created_at: restTime(session?.openedAt),
    updated_at: restTime(session ? session.closedAt ?? session.deferredAt ?? session.openedAt : null),
    source_id: conv.channelId,
    thread_id: threadId,
    content_id: null,
    deferred_at: restTime(session?.deferredAt),
    identity_id: conv.customer,
    comments_count: 0,
    closed: !session || session.status === 'closed',
    closed_at: restTime(session?.closedAt),
    custom_fields: session?.context ?? {},
    category_ids: conv.categories,
    user_id: session?.agentId ?? null,
    user_replies_count: replies,
    user_reply_in_average: null,
    user_reply_in_average_bh: null,
    user_reply_in_average_count: replies,
    first_user_reply_id: null,
    first_user_reply_in: null,
    first_user_reply_in_bh: null,
    last_user_reply_in: null,
    last_user_reply_in_bh: null,
    status: session?.status ?? 'closed',
  };
}

function within(at: string, from: string, to: string | null | undefined): boolean {
  return at >= from && (!to || at <= to);
}

/**
 * The intervention a content belongs to, as far as the thread's current state tells: the humans'
 * when it came in while their session was open, else the work item opened on it or answered in it.
 */
function interventionOf(conv: Conversation, m: Message): string | null {
  const s = conv.agentSession;
  if (s && within(m.createdAt, s.openedAt, s.closedAt)) return s.id;
  const w = conv.workItem;
  if (w && (w.messageId === m.id || (m.author.id === w.owner.id && within(m.createdAt, w.openedAt, w.closedAt)))) return w.id;
  return null;
}

/** A content as GET /1.0/contents/{id} renders it, in its thread, with the categories it was imported with. */
export function contentResource(conv: Conversation, m: Message, inReplyToAuthorId: string | null, options: Record<string, unknown>, imported: { threadId: string; categories: string[] }): Record<string, unknown> {
  return {
    id: m.id,
    type: typeof options.resourceType === 'string' ? options.resourceType : DEFAULT_RESOURCE_TYPE,
    author_id: contentAuthorId(m),
    body: contentBody(m),
    body_input_format: 'text',
    category_ids: imported.categories,
    created_at: restTime(m.createdAt),
    created_from: createdFrom(m),
    creator_id: contentCreatorId(m),
    foreign_id: m.channelMessageId,
    has_attachment: m.content.type === 'media',
    in_reply_to_author_id: inReplyToAuthorId,
    in_reply_to_id: m.inReplyTo ?? null,
    intervention_id: interventionOf(conv, m),
    language: threadLanguage(conv),
    private: true,
    source_id: conv.channelId,
    status: contentStatus(m, conv.controller),
    thread_id: imported.threadId,
    updated_at: restTime(m.createdAt),
  };
}

/**
 * One thread of a conversation and what is known of it: the current one is the conversation as it
 * is; an earlier one is over (closed), with the categories of its last content.
 */
export interface ThreadState {
  thread: Thread;
  current: boolean;
  categories: string[];
  /** Its contents, oldest first. */
  messages: Message[];
  /** Its first customer content's text, shortened (what Baton titles a thread by). */
  title: string | null;
}

/**
 * A thread, as the document's update_categories answer shows it. `category_ids` and
 * `thread_category_ids` are the same list: Baton categorises threads, not single contents.
 */
export function threadResource(conv: Conversation, t: ThreadState): Record<string, unknown> {
  const since = (at: string | undefined) => at !== undefined && at >= t.thread.startedAt;
  const interventions = t.current ? (since(conv.agentSession?.openedAt) ? 1 : 0) + (since(conv.workItem?.openedAt) ? 1 : 0) : 0;
  const last = t.messages.at(-1)?.createdAt;
  return {
    id: t.thread.id,
    created_at: restTime(t.thread.startedAt),
    updated_at: restTime(t.current ? conv.updatedAt : last ?? t.thread.startedAt),
    category_ids: t.categories,
    closed: !t.current || conv.status === 'closed',
    contents_count: t.messages.length,
    extra_data: {},
    foreign_id: null,
    interventions_count: interventions,
    source_id: conv.channelId,
    thread_category_ids: t.categories,
    title: t.title,
    last_content_at: restTime(last),
  };
}

function splitName(name: string): { firstname: string; lastname: string } {
  const at = name.indexOf(' ');
  return at < 0 ? { firstname: name, lastname: '' } : { firstname: name.slice(0, at), lastname: name.slice(at + 1) };
}

/**
 * An agent of the inbox as an Engage user; its identity on every source is its own id.
 * `source_ids`: the sources it may read and reply on (core/agent-scope.ts).
 */
export function agentUser(a: Agent, channels: Channel[]): Record<string, unknown> {
  const sources = channels.filter((c) => readsChannel(a, c.id)).map((c) => c.id);
  return { id: a.id, ...splitName(a.name), nickname: a.name, email: null, enabled: true, category_ids: a.categories, team_ids: a.teams, identity_ids: [a.id], source_ids: sources };
}

/** The bot's user: its engage component. It has no categories, so category filters leave it out. */
export function componentUser(c: Component): Record<string, unknown> {
  return { id: c.id, firstname: c.id, lastname: '', nickname: c.id, email: null, enabled: true, category_ids: [], team_ids: [], identity_ids: [c.id] };
}

/**
 * Connected agents' status by source (the document's "status for each connected agent in TASK
 * mode by channel"): online agents are `available`, away ones `away`; offline ones are not
 * connected and not listed. An agent is listed on the sources it may read and reply on only.
 */
export function agentStatus(a: Agent, channels: Channel[]): Record<string, unknown> {
  const value = a.presence === 'online' ? 'available' : 'away';
  return { agent_id: a.id, status: Object.fromEntries(channels.filter((c) => readsChannel(a, c.id)).map((c) => [c.id, value])) };
}

/** Every category the account uses: its two handover categories first, then the rest by name. */
export function categoryIds(account: Account, channels: Channel[], agents: Agent[]): string[] {
  const rest = new Set<string>([...channels.flatMap((c) => c.defaultCategories), ...agents.flatMap((a) => a.categories)]);
  rest.delete(account.categories.bot);
  rest.delete(account.categories.agent);
  return [account.categories.bot, account.categories.agent, ...[...rest].sort()];
}

export function categoryResource(account: Account, id: string): Record<string, unknown> {
  const role = id === account.categories.bot ? 'BOT' : id === account.categories.agent ? 'AGENT' : null;
  return { id, name: role ?? id, parent_id: null, unselectable: false, mandatory: false, post_qualification: false };
}

/** Engage's list envelope. */
export function page(records: unknown[], offset: number, limit: number): Record<string, unknown> {
  return { count: records.length, limit, offset, records: records.slice(offset, offset + limit) };
}
