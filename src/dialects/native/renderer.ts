import { randomBytes } from 'node:crypto';
import type { DeliveryContext, EndpointResponse, Renderer, Target } from '../../delivery/ports.js';
import { signatureHeaders } from '../../edge-kit/signing.js';

/**
 * The native webhook: one JSON envelope per event, signed per Standard Webhooks with the
 * component's `webhookSecret` (and `webhookSecretPrevious` during a rotation). `webhook-id` is the
 * delivery id, the same on every retry, so receivers can drop duplicates.
 *
 * @example
 * { "id": "…", "type": "message.received", "accountId": "acme", "conversationId": "…", "seq": 3,
 *   "at": "…", "forReply": true, "data": { "messageId": "…", "controller": "bot", "controlVersion": 1 },
 *   "message": { "id": "…", "author": { "kind": "customer", "id": "+3161…" }, "content": { "type": "text", "text": "hi" } } }
 */
export function nativeEnvelope(ctx: DeliveryContext): string {
  const c = ctx.conversation;
  return JSON.stringify({
    id: ctx.deliveryId,
    type: ctx.event.type,
    accountId: ctx.account.id,
    conversationId: c.id,
    channelId: c.channelId,
    customer: c.customer,
    business: c.business,
    seq: ctx.event.seq,
    at: ctx.event.at,
    forReply: ctx.forReply,
    data: ctx.event.data,
    message: ctx.message ? { id: ctx.message.id, author: ctx.message.author, content: ctx.message.content, createdAt: ctx.message.createdAt } : null,
  });
}

function secretsOf(target: Target): string[] {
  const source = target.kind === 'component' ? target.component.secrets : target.channel.credentials;
  return [source.webhookSecret, source.webhookSecretPrevious].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

function urlOf(target: Target): string {
  return (target.kind === 'component' ? target.component.url : target.channel.outboundUrl) ?? '';
}

export const nativeRenderer: Renderer = {
  render(ctx) {
    const body = nativeEnvelope(ctx);
    const timestamp = Math.floor(ctx.now.getTime() / 1000);
    return { url: urlOf(ctx.target), headers: signatureHeaders(secretsOf(ctx.target), ctx.deliveryId, timestamp, body), body };
  },

  verification(target, now) {
    const challenge = randomBytes(16).toString('hex');
    const id = `verify_${challenge}`;
    const body = JSON.stringify({ id, type: 'verification', challenge });
    return {
      request: { url: urlOf(target), headers: signatureHeaders(secretsOf(target), id, Math.floor(now.getTime() / 1000), body), body },
      check(res: EndpointResponse) {
        if (res.status < 200 || res.status >= 300) return { ok: false, reason: `the endpoint answered HTTP ${res.status}` };
        if (!res.body.includes(challenge)) return { ok: false, reason: 'the answer does not echo the challenge' };
        return { ok: true };
      },
    };
  },
};
