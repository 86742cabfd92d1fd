import type { OmnichannelMessage } from './omnichannel-request.js';

// Seed 004, "Mapping channel variables from a client-server channel": variable <- visitor field.
// The table also lists channel_visitor_lastname with no field to fill it from; it is never set.
const FROM_FIELDS: [variable: string, field: string][] = [
  ['channel_visitor_firstname', 'name'],
  ['channel_visitor_account', 'login'],
  ['channel_visitor_phone', 'phone'],
  ['channel_visitor_email', 'email'],
  ['channel_visitor_source', 'site'],
];

/**
 * The documented channel variables of one request, handed to the core as context: bots receive
 * them (`context.updated`) and agents see them on the conversation. The document maps
 * `channel_conversation_id` from "chat.id", which is the request's `chat_id`; `channel_chat_id` is
 * "<client chat_id>|omnichannel". A field the client left out sets nothing.
 *
 * @example channelVariables(msg) // { channel_visitor_id: 'v-17', channel_conversation_id: 4021, ..., channel_chat_id: '4021|omnichannel' }
 */
export function channelVariables(msg: OmnichannelMessage): Record<string, unknown> {
  const vars: Record<string, unknown> = { channel_visitor_id: msg.visitor.id, channel_conversation_id: msg.chatId };
  for (const [variable, field] of FROM_FIELDS) {
    const value = msg.visitor.fields[field];
    if (value !== undefined) vars[variable] = value;
  }
  vars.channel_chat_id = `${msg.chatId}|omnichannel`;
  return vars;
}
