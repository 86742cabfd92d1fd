import { type Conversation, participants } from './conversation.js';

/**
 * The chat a message that names no chat answers (CM Business Messaging names only the two
 * numbers), among the chats its addresses give: only chats the sender takes part in count; of
 * several, one the sender prefers (its `allowedChannels`), then the most recently active.
 *
 * @example chooseChat([onWhatsApp, onSms], 'CmBot', (c) => c.channelId === 'sms') // onSms, when CmBot is in both
 */
export function chooseChat<C extends Conversation>(candidates: readonly (C | null)[], sender: string, preferred: (c: C) => boolean): C | null {
  const found = candidates.filter((c): c is C => c !== null && participants(c).includes(sender));
  if (found.length <= 1) return found[0] ?? null;
  const favoured = found.filter(preferred);
  return (favoured.length > 0 ? favoured : found).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0]!;
}
