import { conversationNumber, stableNumber } from '../../core/ids.js';

/**
 * Chatwoot's ids are integers; Baton's are strings. Each is derived from the Baton id it stands
 * for (core/ids.ts stableNumber), so it is the same on every instance and every retry with no
 * table. Only a conversation's is ever looked up again (Queries.conversationByNumber): the others
 * name things a bot reads but never sends back as a key.
 */
export const chatwootIds = {
  account: (accountId: string) => stableNumber(`account\n${accountId}`),
  inbox: (accountId: string, channelId: string) => stableNumber(`inbox\n${accountId}\n${channelId}`),
  contact: (accountId: string, channelId: string, customer: string) => stableNumber(`contact\n${accountId}\n${channelId}\n${customer}`),
  contactInbox: (accountId: string, channelId: string, customer: string) => stableNumber(`contact_inbox\n${accountId}\n${channelId}\n${customer}`),
  conversation: (conversationId: string) => conversationNumber(conversationId),
  message: (messageId: string) => stableNumber(`message\n${messageId}`),
  user: (accountId: string, agentId: string) => stableNumber(`user\n${accountId}\n${agentId}`),
  agentBot: (accountId: string, componentId: string) => stableNumber(`agent_bot\n${accountId}\n${componentId}`),
};

/** An integer id as a path carries it: digits only, no sign, no leading zero, at most 48 bits. */
export function parseChatwootId(value: string): number | null {
  if (!/^[1-9][0-9]{0,14}$/.test(value)) return null;
  const n = Number(value);
  return n < 2 ** 48 ? n : null;
}
