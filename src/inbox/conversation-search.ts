/** Who holds the conversations a search asks for: one agent, or nobody (queued, with the bot, closed without one). */
export type AssigneeFilter = { agentId: string } | 'unassigned';

export interface SearchQuery {
  /** Matched, case-insensitively for ASCII letters, against the visitor's fields, the customer's address and message text. */
  text?: string;
  status?: 'open' | 'closed';
  assignee?: AssigneeFilter;
  /** Opaque position from a previous page. */
  after?: string;
  limit: number;
}

export interface SearchHit {
  conversationId: string;
  /** What matched: a visitor field's name ("name", "email"), "customer", or "message"; null with no text asked. */
  field: string | null;
  /** What matched: the field's value, or the message's line around the match; null with no text asked. */
  snippet: string | null;
}

export interface SearchPage {
  hits: SearchHit[];
  /** Where to go on; non-null while older conversations remain unsearched. */
  next: string | null;
  /** How many conversations this page looked at. */
  scanned: number;
}

/**
 * The inbox's reads that the core's queries do not offer, kept by the store (store/inbox-search.ts).
 * Every read is scoped to one account: another account's conversations are never seen.
 *
 * @example await search.search('acme', { text: 'refund', status: 'open', limit: 20 }); // { hits: [...], next: null, scanned: 37 }
 */
export interface ConversationSearch {
  /** Recent conversations first, a bounded number of them per page; `next` goes further back. */
  search(accountId: string, q: SearchQuery): Promise<SearchPage>;
  /** Ids of the customer's conversations in the account (the same address), most recent first. */
  customerConversations(accountId: string, customer: string, limit: number): Promise<string[]>;
}
