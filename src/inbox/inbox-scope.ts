import { holdsAgentCategory, readsChannel } from '../core/agent-scope.js';
import { BatonError } from '../core/errors.js';
import type { ConversationView, Queries } from '../core/queries.js';
import type { LoginSession } from './login-sessions.js';

/** What one agent of the inbox is shown and may act on (core/agent-scope.ts says what they hold). */
export interface InboxScope {
  /** A conversation of a channel they may read (search, past conversations). */
  reads(c: ConversationView): boolean;
  /** In their queues and search results: a conversation of a channel they read, handed over only to those holding the agent category, and their own. */
  shows(c: ConversationView): boolean;
  /** Refuses a conversation of a channel they may not read. */
  requireReadable(c: ConversationView): void;
}

export async function inboxScope(queries: Queries, login: LoginSession): Promise<InboxScope> {
  const [agent, account] = await Promise.all([queries.agent(login.accountId, login.agentId), queries.account(login.accountId)]);
  const skilled = holdsAgentCategory(agent, account);
  return {
    reads: (c) => readsChannel(agent, c.channelId),
    shows: (c) => readsChannel(agent, c.channelId) && (skilled || c.agentSession?.agentId === agent.id),
    requireReadable: (c) => {
      if (!readsChannel(agent, c.channelId)) throw new BatonError('forbidden', `You may not read conversations of channel ${c.channelId}.`, { channelId: c.channelId });
    },
  };
}
