import type { ConversationEvent } from '../core/events.js';
import type { Agent, Message } from '../core/model.js';
import type { ConversationView } from '../core/queries.js';
import type { Digest } from './conversation-digests.js';

/** A conversation as a row of the inbox's queues: enough to sort, group by team and show waiting time. */
export interface ConversationCard {
  id: string;
  channelId: string;
  customer: string;
  /** What the visitor is called, when the channel gave a name. */
  displayName: string;
  status: 'open' | 'closed';
  controller: ConversationView['controller'];
  controlVersion: number;
  team: string | null;
  categories: string[];
  agentSession: { id: string; status: string; agentId: string | null; agentName: string | null; note: string | null; openedAt: string } | null;
  /** Since when the customer waits for an agent (queued), else null. */
  waitingSince: string | null;
  lastCustomerMessageAt: string | null;
  updatedAt: string;
  /** Messages the customer wrote in all; the page counts the unread ones against what its agent saw. */
  customerMessages: number;
  lastMessage: Digest['lastMessage'];
  /** Since when the agent of the open agent session holds it, when known. */
  heldSince: string | null;
}

/** The visitor's name when the channel gave one; web chat visitors otherwise get a short, stable label. */
function displayName(c: ConversationView): string {
  if (c.visitor.name) return c.visitor.name;
  return c.customer.startsWith('visitor-') ? `Visitor ${c.customer.slice(8, 12)}` : c.customer;
}

export function conversationCard(c: ConversationView, agents: readonly Agent[], digest: Digest): ConversationCard {
  const s = c.agentSession && c.agentSession.status !== 'closed' ? c.agentSession : null;
  return {
    id: c.id,
    channelId: c.channelId,
    customer: c.customer,
    displayName: displayName(c),
    status: c.status,
    controller: c.controller,
    controlVersion: c.controlVersion,
    team: c.team,
    categories: c.categories,
    agentSession: s && { id: s.id, status: s.status, agentId: s.agentId, agentName: s.agentId ? agents.find((a) => a.id === s.agentId)?.name ?? s.agentId : null, note: s.note, openedAt: s.openedAt },
    waitingSince: s && s.status === 'queued' ? s.openedAt : null,
    lastCustomerMessageAt: c.lastCustomerMessageAt,
    updatedAt: c.updatedAt,
    customerMessages: digest.customerMessages,
    lastMessage: digest.lastMessage,
    heldSince: s?.agentId && digest.held?.agentId === s.agentId ? digest.held.at : null,
  };
}

/** A line of the conversation view: a message, or a note about a change of control. */
export type TimelineItem =
  | { kind: 'message'; at: string; id: string; from: Message['author']['kind']; name: string; content: Message['content'] }
  | { kind: 'note'; at: string; seq: number; type: string; text: string }
  /** An agent's private note (note.added): shown to the agents only. */
  | { kind: 'private'; at: string; seq: number; agentId: string; name: string; text: string };

const NOTED = new Set(['handover', 'handover.rejected', 'takeover', 'handback', 'position.requested', 'reset', 'agent_session.opened', 'agent_session.assigned', 'agent_session.transferred', 'agent_session.deferred', 'agent_session.closed', 'agent_session.reopened', 'conversation.closed', 'conversation.reopened', 'bot_session.closed', 'reply.refused']);
/** Of the events not always noted, those that are: the emergency's end leaving a conversation with the humans. */
const noted = (e: ConversationEvent): boolean => NOTED.has(e.type) || (e.type === 'control.mutated' && e.data.reason === 'emergency_ended');

function noteText(e: ConversationEvent, nameOf: (id: unknown) => string): string {
  const d = e.data;
  switch (e.type) {
    case 'handover': return `Handed over to ${d.team ? `team ${String(d.team)}` : 'the general queue'}${d.by ? ` by ${String(d.by)}` : ''}${d.reason === 'emergency' ? ' (emergency switch)' : ''}`;
    case 'handover.rejected': return `Handover refused: ${String(d.reason)}`;
    case 'takeover': return `${d.agentId ? nameOf(d.agentId) : 'The desk'} took over from the bot`;
    case 'handback': return `Handed back to the bot${d.reason && d.reason !== 'handback' ? ` (${String(d.reason).replaceAll('_', ' ')}${d.quiet === true ? '; the bot was not told' : ''})` : ''}`;
    case 'control.mutated': return d.reason === 'emergency_ended' ? 'The emergency ended; the conversation stays with the agents' : 'Routing changed';
    case 'position.requested': return `Bot asked to continue at ${String(d.flow)} / ${String(d.step)}`;
    case 'reset': return 'Routing reset to the rule\'s defaults';
    case 'agent_session.opened': return `Queued for ${d.team ? `team ${String(d.team)}` : 'the general queue'}`;
    case 'agent_session.assigned': return `Assigned to ${nameOf(d.agentId)}`;
    case 'agent_session.transferred': return `Transferred to ${d.team ? `team ${String(d.team)}` : 'the general queue'}`;
    case 'agent_session.deferred': return `Deferred by ${nameOf(d.agentId)}`;
    case 'agent_session.closed': return `Agent session closed${d.reason && d.reason !== 'closed' ? ` (${String(d.reason).replaceAll('_', ' ')})` : ''}`;
    case 'agent_session.reopened': return 'The customer wrote again: agent session reopened';
    case 'conversation.closed': return 'Conversation closed';
    case 'conversation.reopened': return 'Conversation reopened by the customer';
    case 'bot_session.closed': return 'Bot session closed';
    case 'reply.refused': return `A reply from ${String(d.componentId)} was refused (${String(d.reason)})`;
    default: return e.type;
  }
}

/** Messages, control notes and agents' private notes in time order (a note after the message of the same instant). */
export function timeline(messages: readonly Message[], events: readonly ConversationEvent[], agents: readonly Agent[]): TimelineItem[] {
  const nameOf = (id: unknown) => (typeof id === 'string' ? agents.find((a) => a.id === id)?.name ?? id : 'an agent');
  const items: TimelineItem[] = [
    ...messages.map((m): TimelineItem => ({ kind: 'message', at: m.createdAt, id: m.id, from: m.author.kind, name: m.author.kind === 'agent' ? nameOf(m.author.id) : m.author.id ?? m.author.kind, content: m.content })),
    ...events.filter(noted).map((e): TimelineItem => ({ kind: 'note', at: e.at, seq: e.seq, type: e.type, text: noteText(e, nameOf) })),
    ...events.filter((e) => e.type === 'note.added').map((e): TimelineItem => ({ kind: 'private', at: e.at, seq: e.seq, agentId: String(e.data.agentId), name: nameOf(e.data.agentId), text: typeof e.data.text === 'string' ? e.data.text : '(erased)' })),
  ];
  return items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.kind === b.kind ? 0 : a.kind === 'message' ? -1 : b.kind === 'message' ? 1 : 0));
}
