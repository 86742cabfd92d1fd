import type { Conversation } from '../../core/conversation.js';
import type { Channel, MessageContent } from '../../core/model.js';
import type { DeliveryContext, Renderer, Target } from '../../delivery/ports.js';

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

function visitorIdOf(conv: Conversation): string | null {
  const fromContext = conv.context.channel_visitor_id;
  return typeof fromContext === 'string' ? fromContext : conv.visitor.id ?? null;
}

/**
 * The message part of the body. Files go as links (seed 004: files "as links: Yes", "as files:
 * No"): the link is in `text` too, so a client that only shows text still shows it. Buttons go as
 * their labels, which is what a press sends back. Text is never cut: over 1000 characters "the
 * channel decides".
 */
function messageBody(id: string, content: MessageContent): Record<string, unknown> {
  const buttons = content.buttons && content.buttons.length > 0 ? { buttons: content.buttons.map((b) => b.title) } : {};
  if (content.type === 'media' && content.media) {
    const m = content.media;
    const text = content.text ? `${content.text}\n${m.url}` : m.url;
    return { id, kind: 'file', text, ...buttons, file: { url: m.url, name: m.name ?? null, content_type: m.contentType ?? null } };
  }
  if (content.type === 'custom') return { id, kind: 'custom', text: content.text ?? '', ...buttons, data: content.custom ?? {} };
  const text = content.text ?? content.postback?.title ?? content.postback?.payload ?? '';
  return { id, kind: 'text', text, ...buttons };
}

/**
 * Every answer to the visitor, from a bot or an agent, as one `POST {client url}/send_message`.
 * The document gives this request no body; this is Baton's (README, "Connect a channel through
 * the Omnichannel API"):
 *
 * @example
 * { "chat_id": 4021, "visitor_id": "v-17",
 *   "message": { "id": "…", "kind": "text", "text": "Which plan?", "buttons": ["Basic", "Premium"] },
 *   "author": { "kind": "bot", "id": "imibot" }, "created_at": "2026-05-04T10:20:30.456Z" }
 */
export const omnichannelRenderer: Renderer = {
  render(ctx: DeliveryContext) {
    const { event, message, target } = ctx;
    if (target.kind !== 'channel' || !target.channel.outboundUrl || event.type !== 'message.sent' || !message) return null;
    const body = {
      chat_id: chatIdOf(ctx.conversation),
      visitor_id: visitorIdOf(ctx.conversation),
      message: messageBody(message.id, message.content),
      author: { kind: message.author.kind, id: message.author.id },
      created_at: message.createdAt,
    };
    return { url: sendMessageUrl(target.channel.outboundUrl), headers: headers(target.channel), body: JSON.stringify(body) };
  },

  /** "Can't reach channel" (seed 004): does anything answer at the client server's URL. */
  probe(target: Target) {
    if (target.kind !== 'channel' || !target.channel.outboundUrl) return null;
    return { method: 'GET', url: target.channel.outboundUrl, headers: headers(target.channel), body: '' };
  },
};
