import { createHash } from 'node:crypto';
import type { DeliveryContext, EndpointResponse, Renderer } from '../../delivery/ports.js';
import { activeComponent, webhookIdOf } from './sunco-integrations.js';
import { conversationTruncated, messageResource, userOf } from './sunco-resources.js';
import { standbyWants } from './sunco-standby.js';

type Payload = Record<string, unknown>;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function metadataOf(d: Record<string, unknown>): Payload {
  const sb = d.switchboard as { metadata?: unknown } | undefined;
  const m = sb?.metadata ?? d.metadata;
  return m && typeof m === 'object' ? { metadata: m } : {};
}

function via(d: Record<string, unknown>): string | null {
  return str((d.switchboard as { via?: unknown } | undefined)?.via);
}

/** The switchboard event a control move reads as: an acceptance, or a pass (any other move Baton made). */
function moveType(d: Record<string, unknown>): string {
  return via(d) === 'accept' ? 'switchboard:acceptControl' : 'switchboard:passControl';
}

/**
 * One Baton event as the document's v2 webhook event (x-webhooks "Webhook Event"), or null when it
 * means nothing to a switchboard integration.
 */
function eventOf(ctx: DeliveryContext): { type: string; payload: Payload } | null {
  const { event, message: m, conversation: conv } = ctx;
  const d = event.data;
  switch (event.type) {
    case 'message.received':
      if (!m) return null;
      if (m.content.type === 'postback' && m.content.postback) {
        return { type: 'conversation:postback', payload: { conversation: conversationTruncated(conv), postback: { payload: m.content.postback.payload }, user: { ...userOf(conv), authenticated: false }, source: { type: 'baton', integrationId: conv.channelId } } };
      }
      return { type: 'conversation:message', payload: { conversation: conversationTruncated(conv), message: messageResource(conv, m, true) } };
    case 'message.sent':
      return m ? { type: 'conversation:message', payload: { conversation: conversationTruncated(conv), message: messageResource(conv, m, true) } } : null;
    case 'handover':
    case 'takeover':
    case 'handback':
      return { type: moveType(d), payload: { conversation: conversationTruncated(conv), ...metadataOf(d) } };
    case 'reset':
      // A release (the document: "will omit activeSwitchboardIntegration"); a new thread that moved control is a pass.
      if (d.reason === 'reset') return { type: 'switchboard:releaseControl', payload: { conversation: conversationTruncated(conv, { omitActive: true }), ...metadataOf(d) } };
      return { type: 'switchboard:passControl', payload: { conversation: conversationTruncated(conv) } };
    case 'handover.rejected': {
      // A desk that accepts takes the conversation itself (a takeover), so only a pass is ever rejected.
      return { type: 'switchboard:passControl:failure', payload: { conversation: conversationTruncated(conv), error: { code: str(d.reason) ?? 'rejected', message: 'No agent is available to take the conversation; the bot keeps it.' }, ...metadataOf(d) } };
    }
    case 'control.offered':
      return { type: 'switchboard:offerControl', payload: { conversation: conversationTruncated(conv), ...metadataOf(d) } };
    case 'control.offer_expired':
      return {
        type: 'switchboard:offerControl:failure',
        payload: { conversation: conversationTruncated(conv), error: { code: 'offer_expired', message: `Nobody accepted control by the offer's deadline; ${d.fallbackTo ? `it passed to ${String(d.fallbackTo)}` : 'it stays with the offerer'}.` }, ...metadataOf(d) },
      };
    default:
      return null;
  }
}

/** Event ids are derived, so a retried delivery carries the same one (the document: "to ensure that an event is not processed twice"). */
function eventId(ctx: DeliveryContext): string {
  return createHash('sha256').update(`event\n${ctx.conversation.accountId}\n${ctx.conversation.id}\n${ctx.event.seq}`).digest('hex').slice(0, 24);
}

/**
 * The v2 webhook, one event per request: `{app, webhook, events: [...]}`, with the component's
 * webhook secret as `X-API-Key` ("Securing Sunshine Conversations Webhooks"). A standby
 * integration gets messages and postbacks only as its `deliverStandbyEvents` says; switchboard
 * events reach every integration of the conversation.
 */
export const suncoRenderer: Renderer = {
  render(ctx) {
    if (ctx.target.kind !== 'component' || !ctx.target.component.url) return null;
    const component = ctx.target.component;
    const url = component.url!;
    const event = eventOf(ctx);
    if (!event) return null;
    if (activeComponent(ctx.conversation) !== component.id && !standbyWants(component, event.type)) return null;
    const body = {
      app: { id: ctx.account.id },
      webhook: { id: webhookIdOf(ctx.account.id, component.id), version: 'v2' },
      events: [{ id: eventId(ctx), createdAt: ctx.event.at, type: event.type, payload: event.payload }],
    };
    const secret = component.secrets.webhookSecret;
    return { url, headers: { ...(secret ? { 'x-api-key': secret } : {}) }, body: JSON.stringify(body) };
  },

  accept(res: EndpointResponse) {
    return res.status >= 200 && res.status < 300 ? { ok: true } : { ok: false, reason: `the endpoint answered HTTP ${res.status}` };
  },
};
