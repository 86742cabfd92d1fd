import type { Agent, Message, MessageContent } from '../../core/model.js';

/** A message as the visitor's page shows it: who said it, and what. */
export interface VisitorMessage {
  id: string;
  from: 'visitor' | 'bot' | 'agent' | 'system';
  /** The agent's name; null for the visitor, bots and system notes. */
  name: string | null;
  content: MessageContent;
  /** The id the visitor's page chose, to match its own message when it comes back. */
  clientId: string | null;
  createdAt: string;
}

export function visitorMessage(m: Message, agents: readonly Agent[]): VisitorMessage {
  const from = m.author.kind === 'customer' ? 'visitor' : m.author.kind;
  const name = from === 'agent' ? agents.find((a) => a.id === m.author.id)?.name ?? 'Agent' : null;
  return { id: m.id, from, name, content: m.content, clientId: from === 'visitor' ? m.channelMessageId : null, createdAt: m.createdAt };
}
