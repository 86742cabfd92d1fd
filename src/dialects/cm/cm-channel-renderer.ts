import type { Conversation } from '../../core/conversation.js';
import type { MessageContent } from '../../core/model.js';
import type { DeliveryContext, EndpointResponse, Renderer } from '../../delivery/ports.js';
import { CM_CHANNEL_FIELD } from './cm-mo.js';
import { cmExtras } from './bm-content.js';

/**
 * A Business Messaging request (CM's `POST https://gw.cmtelecom.com/v1.0/message` body, keys as
 * CM documents them), one message to one customer.
 *
 * @example { "messages": { "authentication": { "producttoken": "…" }, "msg": [{ "from": "+3197…",
 *   "to": [{ "number": "+3161…" }], "body": { "type": "auto", "content": "Hello" }, "reference": "…",
 *   "allowedChannels": ["WhatsApp"] }] } }
 */
export interface BmRequest {
  messages: { authentication: { producttoken: string }; msg: BmMsg[] };
}

interface BmMsg {
  from: string;
  to: { number: string }[];
  body: { type: 'auto'; content: string };
  reference: string;
  allowedChannels?: string[];
  richContent?: Record<string, unknown>;
}

/** What the customer sees when a channel shows only text: the text, else the file's name or address. */
function plainText(content: MessageContent): string {
  return content.text ?? content.postback?.title ?? content.media?.name ?? content.media?.url ?? '';
}

/**
 * Rich content a `cm` bot sent is passed on as it came; otherwise media and buttons are written as
 * CM's `richContent` (a media message, reply suggestions).
 */
function richContent(content: MessageContent): Record<string, unknown> | undefined {
  const given = cmExtras(content).richContent;
  if (given) return given;
  const conversation: Record<string, unknown>[] = [];
  if (content.type === 'media' && content.media) {
    if (content.text) conversation.push({ text: content.text });
    conversation.push({ media: { mediaName: content.media.name ?? content.media.url, mediaUri: content.media.url, ...(content.media.contentType ? { mimeType: content.media.contentType } : {}) } });
  }
  const suggestions = (content.buttons ?? []).map((b) => ({ action: 'reply', label: b.title, postbackdata: b.payload ?? b.id ?? b.title }));
  if (conversation.length === 0 && suggestions.length === 0) return undefined;
  if (conversation.length === 0) conversation.push({ text: plainText(content) });
  return { conversation, ...(suggestions.length > 0 ? { suggestions } : {}) };
}

/** The channels CM may use: what the sender asked for, else the one the customer wrote on. */
function allowedChannels(content: MessageContent, conv: Conversation): string[] | undefined {
  const asked = cmExtras(content).allowedChannels;
  if (asked && asked.length > 0) return asked;
  const used = conv.visitor[CM_CHANNEL_FIELD];
  return used ? [used] : undefined;
}

export function bmRequest(ctx: DeliveryContext, productToken: string): BmRequest | null {
  const { event, message, conversation: conv } = ctx;
  if (event.type !== 'message.sent' || !message) return null;
  const allowed = allowedChannels(message.content, conv);
  const rich = richContent(message.content);
  return {
    messages: {
      authentication: { producttoken: productToken },
      msg: [{
        from: conv.business,
        to: [{ number: conv.customer }],
        body: { type: 'auto', content: plainText(message.content) },
        // The sender's own reference when it gave one (CM correlates status reports on it); else
        // the message id without its dashes: CM allows 1 to 32 alphanumerics, and that is exactly it.
        reference: cmExtras(message.content).reference ?? message.id.replace(/-/g, '').slice(0, 32),
        ...(allowed ? { allowedChannels: allowed } : {}),
        ...(rich ? { richContent: rich } : {}),
      }],
    },
  };
}

/** CM answers 200 with an `errorCode` of its own; anything but 0 means the message was not taken. */
function taken(res: EndpointResponse): { ok: true } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return { ok: true };
  }
  const answer = parsed as { errorCode?: unknown; details?: unknown; messages?: { messageDetails?: unknown }[] } | null;
  if (!answer || typeof answer.errorCode !== 'number' || answer.errorCode === 0) return { ok: true };
  const detail = answer.messages?.find((m) => typeof m.messageDetails === 'string')?.messageDetails ?? answer.details;
  return { ok: false, reason: `the gateway refused the message (errorCode ${answer.errorCode}): ${String(detail ?? 'no details')}` };
}

/**
 * Answers to customers of a `cm` channel: every bot or agent message goes to the channel's
 * `outboundUrl` (CM's gateway, or anything that speaks the Business Messaging API) as a Business
 * Messaging request carrying the channel's `credentials.productToken`.
 */
export const cmChannelRenderer: Renderer = {
  render(ctx) {
    if (ctx.target.kind !== 'channel' || !ctx.target.channel.outboundUrl) return null;
    const request = bmRequest(ctx, ctx.target.channel.credentials.productToken ?? '');
    return request ? { url: ctx.target.channel.outboundUrl, headers: {}, body: JSON.stringify(request) } : null;
  },
  accept: taken,
};
