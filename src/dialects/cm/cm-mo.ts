import type { Conversation } from '../../core/conversation.js';
import type { MessageContent } from '../../core/model.js';
import { cmTimeUtc } from './cm-time.js';

/**
 * CM.com's MO webhook JSON, keys in the document's order (seed 002), with the
 * `conversationalRouter` property the Bot Router adds. Baton sends it to `cm` components, and a
 * `cm` channel receives the same JSON (without `conversationalRouter`) from CM's gateway.
 *
 * @example
 * { "from": { "number": "+316012345678", "name": null }, "to": { "number": "+316012345678", "name": null },
 *   "message": { "text": null, "media": { "mediaUri": null, "contentType": null, "title": null }, "custom": {} },
 *   "reference": "2f2d42ac-…", "groupings": [], "timeUtc": "2020-09-16T08:23:32.8981621+00:00", "channel": "WhatsApp",
 *   "conversationalRouter": { "chatId": "47e755ad-…", "accountId": "e17acdef-…" } }
 */
export interface CmMo {
  from: CmParty;
  to: CmParty;
  message: CmMoMessage;
  reference: string;
  groupings: unknown[];
  timeUtc: string;
  channel: string | null;
  conversationalRouter: { chatId: string | null; accountId: string };
}

export interface CmParty {
  number: string | null;
  name: string | null;
}

export interface CmMoMessage {
  text: string | null;
  media: { mediaUri: string | null; contentType: string | null; title: string | null };
  custom: Record<string, unknown>;
}

/**
 * The visitor field a `cm` channel records the customer's CM channel in ("WhatsApp", "SMS", ...):
 * echoed as the MO's `channel` and used as `allowedChannels` for the answers.
 */
export const CM_CHANNEL_FIELD = 'channel';

/** The MO's `channel`: the CM channel the customer wrote on, or the Baton channel id when it is not a CM one. */
export function moChannel(conv: Conversation): string {
  return conv.visitor[CM_CHANNEL_FIELD] ?? conv.channelId;
}

/** A message's content in the MO's `message` shape; `custom` is the customer's own or a notification. */
export function moMessage(content: MessageContent | null, custom: Record<string, unknown> = {}): CmMoMessage {
  const media = content?.type === 'media' ? content.media : undefined;
  return {
    text: content?.text ?? content?.postback?.title ?? content?.postback?.payload ?? null,
    media: { mediaUri: media?.url ?? null, contentType: media?.contentType ?? null, title: media?.name ?? null },
    custom,
  };
}

/**
 * The customer's `custom` as a CM component sees it. A `$type` there marks a Baton notification
 * (cm-notifications.ts), so the customer's own is taken out: no customer can forge a hand-over
 * or a mutation notice. Baton's record of the message keeps it.
 */
export function customerCustom(custom: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!custom || !Object.hasOwn(custom, '$type')) return custom ?? {};
  const { $type: _dropped, ...rest } = custom;
  return rest;
}

/**
 * The envelope around a message or a notification, oriented as the chat is: from the customer, to
 * the business. `timeUtc` and `groupings` are the channel's when it gave them (a `cm` channel's
 * MO), else Baton's time and none.
 */
export function moEnvelope(conv: Conversation, message: CmMoMessage, opts: { reference: string; at: string; timeUtc?: string; groupings?: unknown[] }): CmMo {
  return {
    from: { number: conv.customer, name: conv.visitor.name ?? null },
    to: { number: conv.business, name: null },
    message,
    reference: opts.reference,
    groupings: opts.groupings ?? [],
    timeUtc: opts.timeUtc ?? cmTimeUtc(opts.at),
    channel: moChannel(conv),
    conversationalRouter: { chatId: conv.id, accountId: conv.accountId },
  };
}
