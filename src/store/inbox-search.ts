import { sql } from 'kysely';
import type { Conversation } from '../core/conversation.js';
import { BatonError } from '../core/errors.js';
import type { Message } from '../core/model.js';
import type { ConversationSearch, SearchHit, SearchPage, SearchQuery } from '../inbox/conversation-search.js';
import type { KyselyStore } from './kysely-store.js';
import * as rows from './rows.js';

/** Conversations read per round, most recent first, through the (account, status, updated_at, id) index. */
const WINDOW = 250;
/** Conversations one request looks at, at most; `next` goes on from there. */
const MAX_SCAN = 1000;
/** Matching messages read per round, newest first: enough to find each conversation's latest match. */
const MATCHED_MESSAGES = 500;
const SNIPPET_CHARS = 140;

type Position = [at: string, id: string];

/**
 * Search for the inbox, without a text index: each round takes the next WINDOW conversations of
 * the account in recency order (an index range), and only within them compares the needle with
 * the conversation's state (visitor fields, customer address) and with their messages (through the
 * (account, conversation, created_at) index). So a request costs at most MAX_SCAN conversations
 * and their messages however large the store grows, on both engines alike; older matches are one
 * `next` away. The SQL `LIKE` only narrows: every hit is confirmed on the parsed row, so a needle
 * that happens to spell a JSON key ("type") matches nothing.
 */
export class InboxSearchStore implements ConversationSearch {
  constructor(private readonly store: KyselyStore) {}

  private get db() {
    return this.store.kysely;
  }

  async search(accountId: string, q: SearchQuery): Promise<SearchPage> {
    const needle = q.text?.trim().toLowerCase() || null;
    const found: (SearchHit & { at: string })[] = [];
    let after = q.after ? decodePosition(q.after) : null;
    let scanned = 0;
    for (;;) {
      const window = await this.window(accountId, q.status, after);
      scanned += window.length;
      const hits = await this.match(accountId, window.map((r) => r.id), needle, q);
      for (const r of window) {
        const h = hits.get(r.id);
        if (h) found.push({ ...h, at: r.updated_at });
      }
      const last = window[window.length - 1];
      const more = window.length === WINDOW;
      if (found.length >= q.limit) {
        const page = found.slice(0, q.limit);
        const end = page[page.length - 1]!;
        return { hits: page.map(({ at: _at, ...h }) => h), next: found.length > q.limit || more ? encodePosition([end.at, end.conversationId]) : null, scanned };
      }
      if (!more || !last) return { hits: found.map(({ at: _at, ...h }) => h), next: null, scanned };
      after = [last.updated_at, last.id];
      if (scanned >= MAX_SCAN) return { hits: found.map(({ at: _at, ...h }) => h), next: encodePosition(after), scanned };
    }
  }

  async customerConversations(accountId: string, customer: string, limit: number): Promise<string[]> {
    const found = await this.db.selectFrom('conversations').select('id').where('account_id', '=', accountId).where('customer', '=', customer).orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return found.map((r) => r.id);
  }

  private window(accountId: string, status: SearchQuery['status'], after: Position | null) {
    let w = this.db.selectFrom('conversations').select(['id', 'updated_at']).where('account_id', '=', accountId);
    if (status) w = w.where('status', '=', status);
    if (after) w = w.where((eb) => eb.or([eb('updated_at', '<', after[0]), eb.and([eb('updated_at', '=', after[0]), eb('id', '<', after[1])])]));
    return w.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(WINDOW).execute();
  }

  /** The hits among `ids`, by conversation id. */
  private async match(accountId: string, ids: string[], needle: string | null, q: SearchQuery): Promise<Map<string, SearchHit>> {
    const hits = new Map<string, SearchHit>();
    if (ids.length === 0) return hits;
    const held = (c: Conversation) => holds(c, q.assignee);
    if (!needle) {
      for (const c of await this.states(accountId, ids)) if (held(c)) hits.set(c.id, { conversationId: c.id, field: null, snippet: null });
      return hits;
    }
    const pattern = likePattern(needle);
    const byState = await this.db.selectFrom('conversations').select('state').where('account_id', '=', accountId).where('id', 'in', ids).where(sql<boolean>`lower(state) like ${pattern} escape '!'`).execute();
    for (const c of byState.map((r) => rows.toConversation(r.state))) {
      const field = fieldMatching(c, needle);
      if (field && held(c)) hits.set(c.id, { conversationId: c.id, ...field });
    }
    const rest = ids.filter((id) => !hits.has(id));
    if (rest.length === 0) return hits;
    const byText = await this.db.selectFrom('messages').select(['conversation_id', 'content']).where('account_id', '=', accountId).where('conversation_id', 'in', rest).where('erased_at', 'is', null)
      .where(sql<boolean>`lower(content) like ${pattern} escape '!'`).orderBy('created_at', 'desc').limit(MATCHED_MESSAGES).execute();
    const snippets = new Map<string, string>();
    for (const m of byText) {
      if (snippets.has(m.conversation_id)) continue;
      const text = textOf(JSON.parse(m.content) as Message['content']);
      if (text.toLowerCase().includes(needle)) snippets.set(m.conversation_id, snippetOf(text, needle));
    }
    if (snippets.size === 0) return hits;
    const candidates = q.assignee ? (await this.states(accountId, [...snippets.keys()])).filter(held).map((c) => c.id) : [...snippets.keys()];
    for (const id of candidates) hits.set(id, { conversationId: id, field: 'message', snippet: snippets.get(id)! });
    return hits;
  }

  private async states(accountId: string, ids: string[]): Promise<Conversation[]> {
    const found = await this.db.selectFrom('conversations').select('state').where('account_id', '=', accountId).where('id', 'in', ids).execute();
    return found.map((r) => rows.toConversation(r.state));
  }
}

function holds(c: Conversation, assignee: SearchQuery['assignee']): boolean {
  if (!assignee) return true;
  const s = c.agentSession && c.agentSession.status !== 'closed' ? c.agentSession : null;
  return assignee === 'unassigned' ? !s?.agentId : s?.agentId === assignee.agentId;
}

/** The visitor field or the customer address that contains the needle, with its value, if any. */
function fieldMatching(c: Conversation, needle: string): { field: string; snippet: string } | null {
  for (const [k, v] of Object.entries(c.visitor)) if (typeof v === 'string' && v.toLowerCase().includes(needle)) return { field: k, snippet: v };
  return c.customer.toLowerCase().includes(needle) ? { field: 'customer', snippet: c.customer } : null;
}

function textOf(c: Message['content']): string {
  return c.type === 'postback' ? c.postback?.title ?? c.text ?? '' : c.text ?? '';
}

/** The match with some words either side, on one line. */
function snippetOf(text: string, needle: string): string {
  const line = text.replace(/\s+/g, ' ');
  const at = line.toLowerCase().indexOf(needle);
  const from = Math.max(0, Math.min(at - 40, line.length - SNIPPET_CHARS));
  const cut = line.slice(from, from + SNIPPET_CHARS);
  return `${from > 0 ? '…' : ''}${cut}${from + SNIPPET_CHARS < line.length ? '…' : ''}`;
}

/**
 * Rows keep JSON text, so the needle is compared in its JSON spelling (a quote is `\"` there);
 * `!` escapes LIKE's wildcards the same way on both engines. `lower()` folds ASCII on SQLite and
 * everything on PostgreSQL; the confirmation on the parsed row is the same on both.
 */
function likePattern(needle: string): string {
  const json = JSON.stringify(needle).slice(1, -1);
  return `%${json.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

function encodePosition(p: Position): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url');
}

function decodePosition(cursor: string): Position {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string')) return parsed as Position;
  } catch {
    // reported below
  }
  throw new BatonError('bad_request', 'The `after` cursor is not one Baton handed out; pass the `next` value of the previous page.');
}
