import type { Conversation } from '../../core/conversation.js';
import type { Channel } from '../../core/model.js';
import type { DeliveryContext, OutgoingRequest, Renderer, Target } from '../../delivery/ports.js';
import { webimMessages } from './webim-messages.js';

/**
 * `{client url}/send_message`. The path is extended and the query kept, so a token the client
 * put in the URL (seed 004, "Unique URL" authorisation) survives in the path or in the query.
 *
 * @example sendMessageUrl('https://chat.example.com/baton/t0k3n') // 'https://chat.example.com/baton/t0k3n/send_message'
 */
export function sendMessageUrl(outboundUrl: string): string {
  let url: URL;
  try {
    url = new URL(outboundUrl);
  } catch {
    // Not a URL: the sender refuses it and the attempt is recorded with that reason.
    return `${outboundUrl}/send_message`;
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/send_message`;
  return url.toString();
}

/** Seed 004, "Header" authorisation: `Authorization: Token {token}` when the channel has one. */
function headers(channel: Channel): Record<string, string> {
  const token = channel.credentials.webhookToken;
  return token ? { authorization: `Token ${token}` } : {};
}

/** The client's chat id in the type it came in (the document says integer); the customer address holds its text. */
function chatIdOf(conv: Conversation): number | string {
  const raw = conv.context.channel_conversation_id;
  return typeof raw === 'number' && String(raw) === conv.customer ? raw : conv.customer;
}

/**
 * Every `POST {client url}/send_message` one answer to the visitor (from a bot or an agent) means,
 * in order: `{"chat_id": …, "message": …}` with one Webim message each (webim-messages.ts).
 *
 * @example
 * // a text with two buttons:
 * // {"chat_id":4021,"message":{"kind":"operator","text":"Which plan?"}}
 * // {"chat_id":4021,"message":{"kind":"keyboard","buttons":[[{"id":"BASIC","text":"Basic plan"}],[{"id":"PREMIUM","text":"Premium plan"}]]}}
 */
export function omnichannelSends(ctx: DeliveryContext): OutgoingRequest[] {
  const { event, message, target } = ctx;
  if (target.kind !== 'channel' || !target.channel.outboundUrl || event.type !== 'message.sent' || !message) return [];
  const url = sendMessageUrl(target.channel.outboundUrl);
  const chatId = chatIdOf(ctx.conversation);
  const parts = webimMessages(message.content);
  // Webim's body has no message id: the headers carry Baton's, so a client can drop a repeat.
  return parts.map((m, i) => ({ url, headers: { ...headers(target.channel), 'x-baton-message-id': message.id, 'x-baton-part': `${i + 1}/${parts.length}` }, body: JSON.stringify({ chat_id: chatId, message: m }) }));
}

export const omnichannelRenderer: Renderer = {
  /** Every Webim message of the answer, in order: the outbox sends each after the one before was taken. */
  render(ctx: DeliveryContext) {
    const sends = omnichannelSends(ctx);
    return sends.length > 0 ? sends : null;
  },

  /** "Can't reach channel" (seed 004): does anything answer at the client server's URL. */
  probe(target: Target) {
    if (target.kind !== 'channel' || !target.channel.outboundUrl) return null;
    return { method: 'GET', url: target.channel.outboundUrl, headers: headers(target.channel), body: '' };
  },
};
