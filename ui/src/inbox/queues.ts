import type { Card } from './inbox-api.js';

/** Waiting for an agent to take it. */
export const inQueue = (c: Card): boolean => c.agentSession?.status === 'queued';

/** Held by this agent (taken, deferred or reopened for them): their "Mine" tab. */
export const isMine = (c: Card, meId: string): boolean => c.agentSession?.agentId === meId && c.agentSession.status !== 'queued';

/** The customer wrote last and it is the humans' turn: the card stands out until someone answers. */
export const awaitingReply = (c: Card): boolean => c.status === 'open' && c.controller === 'desk' && c.lastMessage?.from === 'customer';

/** Something new for this agent between two reads of the queues, to announce (sound, notification). */
export interface Arrival {
  id: string;
  title: string;
  body: string;
}

/** Conversations that entered the queue, and the agent's own ones in which the customer wrote again. */
export function arrivals(before: readonly Card[], after: readonly Card[], meId: string): Arrival[] {
  const was = new Map(before.map((c) => [c.id, c]));
  const out: Arrival[] = [];
  for (const c of after) {
    const b = was.get(c.id);
    if (inQueue(c) && !(b && inQueue(b))) {
      out.push({ id: c.id, title: `Waiting in the queue: ${c.displayName}`, body: c.agentSession?.note ?? c.lastMessage?.text ?? '' });
    } else if (isMine(c, meId) && b && c.customerMessages > b.customerMessages) {
      out.push({ id: c.id, title: `${c.displayName} wrote`, body: c.lastMessage?.from === 'customer' ? c.lastMessage.text : '' });
    }
  }
  return out;
}
