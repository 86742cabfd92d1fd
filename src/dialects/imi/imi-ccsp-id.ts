import { uuidV5 } from '../../core/ids.js';

/** The namespace CCSP conversation ids are derived under; fixed for ever, like the chatId's. */
export const CCSP_ID_NAMESPACE = '68e0c7a0-96eb-4e58-9e59-5392c4d76355';

/**
 * The CCSP conversation id a bot is given when it hands over. Seeds 000/001: "every conversation
 * with the CCSP agent has a new conversation ID, which is closed on chat engine (when agent closes
 * the conversation)". Baton's agent session is not that id: a customer who writes within the
 * thread inclusion delay after an agent closed it reopens it (Engage's reading, seed 003), and a
 * handover from the bot then continues it under the same id. So the id is derived per handover,
 * from the agent session and the sequence number of the handover event: a new one at every
 * handover, the same on every instance, and traceable to both with no look-up.
 *
 * @example ccspConversationId('0197…', 7) // '…-5…' (version-5 UUID)
 */
export function ccspConversationId(agentSessionId: string, handoverSeq: number): string {
  return uuidV5(`${agentSessionId}\n${handoverSeq}`, CCSP_ID_NAMESPACE);
}
