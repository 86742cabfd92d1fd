import { randomBytes } from 'node:crypto';
import type { DeliveryContext, EndpointResponse, Renderer, Target } from '../../delivery/ports.js';
import { type CmMo, customerCustom, moEnvelope, moMessage } from './cm-mo.js';
import { cmNotification } from './cm-notifications.js';
import { cmTimeUtc } from './cm-time.js';

/** Seed 002: "The webhook must return 200 OK to indicate it has received the message". */
function only200(res: EndpointResponse): { ok: true } | { ok: false; reason: string } {
  return res.status === 200 ? { ok: true } : { ok: false, reason: `the webhook answered HTTP ${res.status}; only 200 OK counts as received` };
}

function body(ctx: DeliveryContext): CmMo | null {
  const { event, message, conversation: conv, target } = ctx;
  if (target.kind !== 'component') return null;
  if (event.type === 'message.received' && message) {
    // A customer message: the MO itself, with the channel's own reference, time and groupings when it gave them.
    const data = message.content.channelData ?? {};
    return moEnvelope(conv, moMessage(message.content, customerCustom(message.content.custom)), {
      reference: message.channelMessageId ?? message.id,
      at: message.createdAt,
      ...(typeof data.timeUtc === 'string' ? { timeUtc: data.timeUtc } : {}),
      ...(Array.isArray(data.groupings) ? { groupings: data.groupings } : {}),
    });
  }
  const note = cmNotification(event, conv, target.component);
  if (!note) return null;
  const content = event.type === 'message.sent' ? message?.content ?? null : null;
  return moEnvelope(conv, moMessage(content, note), { reference: ctx.deliveryId, at: event.at });
}

/**
 * Events to a CM Bot Router component (a bot or a desk of dialect `cm`): customer messages as the
 * MO webhook JSON plus `conversationalRouter`, everything else it must know as a notification
 * (cm-notifications.ts). Headers beyond the document's: `x-baton-delivery-id` (the same on every
 * retry, to drop duplicates) and `x-baton-for-reply` (false for observers: the bot after a
 * handover, a dormant desk).
 */
export const cmRenderer: Renderer = {
  render(ctx) {
    const b = body(ctx);
    if (!b || ctx.target.kind !== 'component' || !ctx.target.component.url) return null;
    return { url: ctx.target.component.url, headers: { 'x-baton-delivery-id': ctx.deliveryId, 'x-baton-for-reply': String(ctx.forReply) }, body: JSON.stringify(b) };
  },

  accept: only200,

  /** No verification is documented; Baton sends an empty MO whose custom says so and wants 200 OK. */
  verification(target: Target, now: Date) {
    const url = target.kind === 'component' ? target.component.url ?? '' : '';
    const accountId = target.kind === 'component' ? target.component.accountId : target.channel.accountId;
    const reference = `verify_${randomBytes(8).toString('hex')}`;
    const mo: CmMo = {
      from: { number: null, name: null },
      to: { number: null, name: null },
      message: { ...moMessage(null), custom: { $type: 'verification' } },
      reference,
      groupings: [],
      timeUtc: cmTimeUtc(now),
      channel: null,
      conversationalRouter: { chatId: null, accountId },
    };
    return { request: { url, headers: { 'x-baton-delivery-id': reference }, body: JSON.stringify(mo) }, check: only200 };
  },
};
