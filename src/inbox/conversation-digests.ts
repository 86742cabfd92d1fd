import type { ConversationEvent } from '../core/events.js';
import type { AuthorKind, Message } from '../core/model.js';
import type { ConversationView, Queries } from '../core/queries.js';

/** What a queue card tells of a conversation's messages and of who holds it since when. */
export interface Digest {
  /** Messages the customer wrote, ever: the page counts unread ones against what the agent saw. */
  customerMessages: number;
  lastMessage: { from: AuthorKind; authorId: string | null; at: string; text: string } | null;
  /** The last event that gave the conversation to an agent (a take, an assignment, a takeover). */
  held: { agentId: string; at: string } | null;
}

/** Counts only, no message text, so an erasure (which writes no event) leaves nothing behind here. */
interface Tally {
  seq: number;
  customerMessages: number;
  lastMessageId: string | null;
  held: Digest['held'];
}

const PAGE = 1000;
const PREVIEW_CHARS = 140;
const HOLDING = new Set(['agent_session.assigned', 'takeover', 'handover']);

function add(t: Tally, e: ConversationEvent): Tally {
  const id = typeof e.data.messageId === 'string' ? e.data.messageId : null;
  const agentId = typeof e.data.agentId === 'string' ? e.data.agentId : null;
  return {
    seq: e.seq,
    customerMessages: t.customerMessages + (e.type === 'message.received' ? 1 : 0),
    lastMessageId: id && (e.type === 'message.received' || e.type === 'message.sent') ? id : t.lastMessageId,
    held: agentId && HOLDING.has(e.type) ? { agentId, at: e.at } : t.held,
  };
}

/** One line of a message, as a card shows it. */
export function previewOf(m: Message): string {
  if (m.erasedAt) return '(erased)';
  const c = m.content;
  const text = c.type === 'postback' ? `Pressed “${c.postback?.title ?? c.text ?? c.postback?.payload ?? ''}”` : c.text?.trim() || (c.media ? `File: ${c.media.name ?? c.media.url}` : `(${c.type} message)`);
  const line = text.replace(/\s+/g, ' ');
  return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS - 1)}…` : line;
}

/**
 * Digests of conversations for the inbox's cards. The queues are read again at every change in
 * the account, so the counts are kept per conversation up to the event seq they were made from
 * and only the events since are read (a conversation's lastSeq says whether there are any). Each
 * process keeps its own; a seq is the same everywhere, so they never disagree.
 *
 * @example const d = await digests.of(conversation); // { customerMessages: 3, lastMessage: { from: 'customer', ... }, held: null }
 */
export class ConversationDigests {
  private readonly tallies = new Map<string, Tally>();

  constructor(private readonly queries: Queries, private readonly capacity = 10_000) {}

  async of(conv: ConversationView): Promise<Digest> {
    const t = await this.tally(conv);
    const last = t.lastMessageId ? await this.queries.message(conv.accountId, t.lastMessageId) : null;
    return { customerMessages: t.customerMessages, lastMessage: last && { from: last.author.kind, authorId: last.author.id, at: last.createdAt, text: previewOf(last) }, held: t.held };
  }

  private async tally(conv: ConversationView): Promise<Tally> {
    const key = `${conv.accountId}\n${conv.id}`;
    const known = this.tallies.get(key);
    let t: Tally = known ?? { seq: 0, customerMessages: 0, lastMessageId: null, held: null };
    if (t.seq >= conv.lastSeq) return t;
    for (;;) {
      const page = await this.queries.events(conv.accountId, conv.id, t.seq, PAGE);
      t = page.items.reduce(add, t);
      if (page.next === null) break;
    }
    // Of two reads at once, the one that got further stays.
    const now = this.tallies.get(key);
    if (!now || now.seq < t.seq) {
      this.tallies.delete(key);
      this.tallies.set(key, t);
      if (this.tallies.size > this.capacity) this.tallies.delete(this.tallies.keys().next().value!);
    }
    return t;
  }
}
