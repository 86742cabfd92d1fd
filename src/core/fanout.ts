import type { ConversationEvent } from './events.js';
import type { Account } from './model.js';
import { type Conversation, participants } from './conversation.js';

export type DeliveryTarget = { kind: 'component'; id: string } | { kind: 'channel'; id: string };

export interface Recipient {
  target: DeliveryTarget;
  /** False for observers: the bot after a handover, a dormant desk. They see, they must not answer. */
  forReply: boolean;
}

const CUSTOMER_FACING = new Set(['message.sent']);
const NOT_DELIVERED = new Set(['reply.refused']);

/**
 * Who must see an event, decided from the conversation as it is after the change. Customers see
 * what bots and agents send; every participating component sees everything else, the one in
 * control with `forReply` set.
 */
export function recipients(conv: Conversation, event: ConversationEvent): Recipient[] {
  if (NOT_DELIVERED.has(event.type)) return [];
  // An agent's private note is for the desk alone: never the channel, never the bot.
  if (event.type === 'note.added') return conv.desk ? [{ target: { kind: 'component', id: conv.desk }, forReply: false }] : [];
  // The fate of a message on the channel concerns the component that sent it.
  if (event.type === 'message.status') {
    const author = event.data.componentId;
    return typeof author === 'string' ? [{ target: { kind: 'component', id: author }, forReply: false }] : [];
  }
  const out: Recipient[] = [];
  // The author does not hear its own message back, unless it asked to (`echo`): some protocols
  // report every content of a thread to the bot, its own included (seed 003, content.imported).
  const author = event.type === 'message.sent' && event.data.echo !== true ? (event.data.componentId as string | undefined) : undefined;
  if (CUSTOMER_FACING.has(event.type)) out.push({ target: { kind: 'channel', id: conv.channelId }, forReply: false });
  const controlling = conv.controller === 'bot' ? conv.bot : conv.controller === 'desk' ? conv.desk : null;
  // Word that a bot cannot be reached is for everyone else: the bot would not get it.
  const unreachable = event.type === 'bot.unavailable' ? event.data.bot : undefined;
  // A quiet change (the emergency's end, handed back without a word) is recorded for the desk and
  // the audit; the bot must not hear of it, or it would greet every customer the switch held.
  const hushed = event.data.quiet === true ? conv.bot : undefined;
  for (const id of participants(conv)) {
    if (id === author || id === unreachable || id === hushed) continue;
    out.push({ target: { kind: 'component', id }, forReply: event.type === 'message.received' && id === controlling });
  }
  // A handback or reset can leave the previous desk outside the participants, and control can be
  // offered to a desk that is not one yet: each must still hear of it.
  for (const extra of [event.data.desk, event.data.pending]) {
    if (typeof extra === 'string' && extra !== author && !out.some((r) => r.target.kind === 'component' && r.target.id === extra)) {
      out.push({ target: { kind: 'component', id: extra }, forReply: false });
    }
  }
  return out;
}

/** `message.received` matches itself, `message.*` every message event, `*` everything. */
export function matchesEventPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  return pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

/**
 * Event types a component receives only when its `events:` names them (`*` does), or its
 * dialect's default does: a widget opened again means something to a Chatwoot bot, and would
 * only be noise, once per page view, to every other.
 */
export const OPT_IN_EVENTS: ReadonlySet<string> = new Set(['widget.opened']);

/**
 * Whether a recipient asked for this event type. Channels receive what is meant for customers;
 * a component receives everything but the opt-in types unless its `events:` says otherwise, and
 * then nothing is written for it that it would not want.
 */
export function subscribed(account: Account, r: Recipient, type: string): boolean {
  if (r.target.kind === 'channel') return true;
  const patterns = account.subscriptions?.[r.target.id];
  if (patterns === undefined) return !OPT_IN_EVENTS.has(type);
  return patterns.some((p) => matchesEventPattern(p, type));
}

/**
 * Whether a `message.status` for a message `componentId` sent would reach anyone: only its author
 * hears it, and only if it subscribes. When it would not, the dispatcher records no event for
 * Baton's own delivered/failed report, so a bot that ignores receipts costs nothing for them.
 */
export function statusHeard(account: Account, componentId: string): boolean {
  return subscribed(account, { target: { kind: 'component', id: componentId }, forReply: false }, 'message.status');
}
