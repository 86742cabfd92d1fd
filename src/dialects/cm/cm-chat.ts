import { chooseChat } from '../../core/chat-choice.js';
import { isBatonError } from '../../core/errors.js';
import { chatId } from '../../core/ids.js';
import type { Channel } from '../../core/model.js';
import type { ConversationView, Queries } from '../../core/queries.js';
import { moChannel } from './cm-mo.js';

/** "+316…" and "00316…" are one number to CM (its documents ask for the 00 form, its MOs carry +). */
function spellings(number: string): string[] {
  if (number.startsWith('+')) return [number, `00${number.slice(1)}`];
  if (number.startsWith('00')) return [number, `+${number.slice(2)}`];
  return [number];
}

async function find(queries: Queries, accountId: string, id: string): Promise<ConversationView | null> {
  try {
    return await queries.conversation(accountId, id);
  } catch (err) {
    if (isBatonError(err) && err.code === 'conversation_not_found') return null;
    throw err;
  }
}

/**
 * The chat a Business Messaging message answers. A message names no chat, only `from` (the
 * business: the MO's `to.number`) and a recipient (the customer: the MO's `from.number`), so the
 * chatId is derived on each channel of the account exactly as for the MO (DESIGN.md section 4, the
 * same id for both directions). Only chats the sender takes part in count; when the customer has
 * several, the one on a channel in `allowedChannels` wins, then the most recently active.
 */
export async function findChat(queries: Queries, channels: Channel[], accountId: string, sender: string, from: string, customer: string, allowedChannels: string[]): Promise<ConversationView | null> {
  const ids = new Set<string>();
  for (const channel of channels) {
    for (const c of spellings(customer)) for (const b of spellings(from)) ids.add(chatId(channel.id, c, b));
  }
  return chooseChat(await Promise.all([...ids].map((id) => find(queries, accountId, id))), sender, (c) => allowedChannels.includes(moChannel(c)));
}

/** A number in the `+` form CM's MOs carry, so a chat a bot starts is the one the customer's answers land in. */
export function moNumber(number: string): string {
  return /^00\d/.test(number) ? `+${number.slice(2)}` : number;
}

/**
 * The channels a component can start a chat with a customer on: the `cm` channels that send to
 * CM's gateway (an `outboundUrl`) from the business number the message is `from`.
 */
export function startChannels(channels: Channel[], from: string): Channel[] {
  const froms = spellings(from);
  return channels.filter((c) => c.kind === 'cm' && c.outboundUrl !== null && spellings(c.address).some((a) => froms.includes(a)));
}
