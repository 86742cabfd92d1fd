import { uuidV5 } from '../../core/ids.js';
import type { DeliveryContext, OutgoingRequest, Renderer } from '../../delivery/ports.js';
import type { WidgetOpening } from '../../core/control-types.js';
import { conversationObject, messageObject, widgetTriggered } from './chatwoot-payloads.js';
import { chatwootSignatureHeaders } from './chatwoot-signature.js';
import { chatwootStatus } from './chatwoot-status.js';

/** Later webhooks of one delivery get ids derived from it, so each keeps its own on every retry. */
const DELIVERY_NAMESPACE = '6a0f3e2b-94c1-4d57-8b1e-2c7d5f0a9e36';

/** Changes of who holds the conversation, i.e. of its Chatwoot status. */
const STATUS_EVENTS = new Set(['handover', 'takeover', 'handback', 'reset', 'conversation.closed', 'conversation.reopened', 'agent_session.deferred']);
/** Changes of its other attributes: the assignee, the team, the custom attributes. */
const UPDATE_EVENTS: Record<string, string> = { 'agent_session.assigned': 'assignee_id', 'agent_session.transferred': 'team_id', 'context.updated': 'custom_attributes' };

/**
 * The agent-bot webhooks an event makes, in the order Chatwoot sends them: a status change is
 * `conversation_opened` or `conversation_resolved` and then `conversation_status_changed`, the
 * conversation after the change (the delivery's snapshot) as each one's payload.
 */
function events(ctx: DeliveryContext): Record<string, unknown>[] {
  const { event, message: m, conversation: conv, account } = ctx;
  if ((event.type === 'message.received' || event.type === 'message.sent') && m) return [{ ...messageObject(m, conv, account), event: 'message_created' }];
  if (event.type === 'message.status' && m) return [{ ...messageObject(m, conv, account, { status: event.data.status }), event: 'message_updated' }];
  if (event.type === 'widget.opened') return [widgetTriggered(conv, account, event.data as unknown as WidgetOpening, event.at)];
  if (STATUS_EVENTS.has(event.type)) {
    const status = chatwootStatus(conv);
    const payload = conversationObject(conv, null);
    const named = status === 'open' ? 'conversation_opened' : status === 'resolved' ? 'conversation_resolved' : null;
    return [...(named ? [{ ...payload, event: named }] : []), { ...payload, event: 'conversation_status_changed' }];
  }
  const attribute = UPDATE_EVENTS[event.type];
  if (!attribute) return [];
  const payload = conversationObject(conv, null);
  const current = attribute === 'assignee_id' ? (payload.meta as { assignee: { id: number } | null }).assignee?.id ?? null : attribute === 'team_id' ? conv.team : conv.context;
  // The snapshot is the conversation after the change only: what it was before is not known here.
  return [{ ...payload, changed_attributes: [{ [attribute]: { previous_value: null, current_value: current } }], event: 'conversation_updated' }];
}

/**
 * The Chatwoot agent-bot webhook: one JSON object per event at the bot's `outgoing_url` (the
 * component's `url`), signed with `secrets.webhookSecret` as Chatwoot signs. Events that mean
 * nothing to a Chatwoot bot are recorded as delivered without a call.
 */
export const chatwootRenderer: Renderer = {
  render(ctx) {
    if (ctx.target.kind !== 'component' || !ctx.target.component.url) return null;
    const { url, secrets } = ctx.target.component;
    const timestamp = Math.floor(ctx.now.getTime() / 1000);
    const out: OutgoingRequest[] = events(ctx).map((payload, i) => {
      const body = JSON.stringify(payload);
      const delivery = i === 0 ? ctx.deliveryId : uuidV5(`${ctx.deliveryId}\n${i}`, DELIVERY_NAMESPACE);
      return { url, headers: chatwootSignatureHeaders(secrets.webhookSecret, delivery, timestamp, body), body };
    });
    return out.length === 0 ? null : out.length === 1 ? out[0]! : out;
  },
};
