import { randomBytes } from 'node:crypto';
import { type AgentSession, currentThread } from '../../core/conversation.js';
import { uuidV5 } from '../../core/ids.js';
import type { DeliveryContext, EndpointResponse, Renderer, Target } from '../../delivery/ports.js';
import { contentAuthorId, contentBody, contentCreatorId, contentStatus, createdFrom, dateOf, DEFAULT_RESOURCE_TYPE, threadLanguage } from './engage-content.js';

/** Event ids are derived, so a retried or replayed delivery carries the same one (dedupe). */
const EVENT_NAMESPACE = '3b8d1c52-7f0e-4d6a-a1c9-5e2f7b904d18';

function strings(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * content.imported (seed 003): every content of a thread, the customer's, the agents' and the
 * bot's own, with the thread's categories as they were when the content came in. Keys in the
 * document's order. The thread is the conversation's at the event (the delivery's snapshot): a
 * customer back after a close or the thread inclusion delay starts a new one, and their message
 * is `first_in_thread` with no intervention, as the document's bot expects before opening one.
 */
function contentImported(ctx: DeliveryContext): Record<string, unknown> | null {
  const { event, message: m, conversation: conv } = ctx;
  if (!m || (event.type !== 'message.received' && event.type !== 'message.sent')) return null;
  const d = event.data;
  const inReplyTo = d.inReplyTo as { messageId?: string; authorId?: string | null } | undefined;
  const options = ctx.target.kind === 'component' ? ctx.target.component.options : {};
  return {
    type: 'content.imported',
    id: eventId(ctx),
    issued_at: event.at,
    resource: {
      type: str(options.resourceType) ?? DEFAULT_RESOURCE_TYPE,
      id: m.id,
      metadata: {
        approval_required: false,
        author_id: contentAuthorId(m),
        body: contentBody(m),
        body_input_format: 'text',
        creator_id: contentCreatorId(m),
        date: dateOf(event.at),
        first_in_thread: d.first === true,
        foreign_categories: [],
        category_ids: strings(d.categories) ?? conv.categories,
        foreign_id: m.channelMessageId,
        has_attachment: m.content.type === 'media',
        intervention_id: str(d.agentSessionId) ?? str(d.workItemId),
        in_reply_to_author_id: inReplyTo?.authorId ?? null,
        in_reply_to_id: inReplyTo?.messageId ?? null,
        language: threadLanguage(conv),
        source_id: conv.channelId,
        status: contentStatus(m, d.controller ?? (event.type === 'message.received' ? conv.controller : null)),
        thread_id: currentThread(conv).id,
        thread_title: conv.title ?? null,
        created_from: createdFrom(m),
        // Every Baton channel is a one-to-one conversation: nothing in it is a public post.
        private: true,
      },
    },
  };
}

/**
 * intervention.closed / intervention.reopened (seed 003): the humans' intervention is the agent
 * session. Only a session an agent completed counts as closed; a deferred one is still open, and
 * one that ended by a handback or a reset was never completed. It reopens only for the humans:
 * while the bot has the thread back nothing reopens, and its next handover opens a new one.
 */
function intervention(ctx: DeliveryContext): Record<string, unknown> | null {
  const { event, conversation: conv } = ctx;
  const d = event.data;
  const closed = event.type === 'agent_session.closed' && d.reason === 'closed';
  if (!closed && event.type !== 'agent_session.reopened') return null;
  const id = str(d.agentSessionId) ?? '';
  const session: AgentSession | null = conv.agentSession?.id === id ? conv.agentSession : null;
  const actor = str(d.agentId);
  return {
    type: closed ? 'intervention.closed' : 'intervention.reopened',
    id: eventId(ctx),
    // "Will only appear for event triggered by an agent."
    ...(actor ? { user_id: actor } : {}),
    resource: {
      type: 'intervention',
      id,
      metadata: { custom_field_values: session?.context ?? {} },
      category_ids: strings(d.categories) ?? conv.categories,
      closed_at: closed ? event.at : null,
      deferred_at: session?.deferredAt ?? null,
      identity_id: conv.customer,
      source_id: conv.channelId,
      thread_id: currentThread(conv).id,
      user_id: session?.agentId ?? actor,
    },
    issued_at: event.at,
  };
}

function eventId(ctx: DeliveryContext): string {
  return uuidV5(`${ctx.conversation.id}\n${ctx.event.seq}`, EVENT_NAMESPACE);
}

/** Engage sends the endpoint's secret as `X-Dimelo-Secret` with every request, when there is one. */
function headers(target: Target): Record<string, string> {
  const secret = target.kind === 'component' ? target.component.secrets.webhookSecret : undefined;
  return secret ? { 'x-dimelo-secret': secret } : {};
}

/**
 * The Engage webhook, one event per request: `{id, domain_id, events: [...]}`. `id` is the
 * delivery id (the same on every retry), `domain_id` the account. The endpoint "MUST return with
 * a status code 200", so any other answer is a failed attempt.
 */
export const engageRenderer: Renderer = {
  render(ctx) {
    if (ctx.target.kind !== 'component' || !ctx.target.component.url) return null;
    const event = contentImported(ctx) ?? intervention(ctx);
    if (!event) return null;
    const body = { id: ctx.deliveryId, domain_id: ctx.account.id, events: [event] };
    return { url: ctx.target.component.url, headers: headers(ctx.target), body: JSON.stringify(body) };
  },

  accept(res: EndpointResponse) {
    return res.status === 200 ? { ok: true } : { ok: false, reason: `the endpoint answered HTTP ${res.status}; Engage webhooks must be answered with 200` };
  },

  /**
   * Engage's subscription validation: a GET with `hub.mode=subscribe`, `hub.challenge` and
   * `hub.verify_token`; the endpoint answers 200 with only the challenge in its body.
   */
  verification(target) {
    const challenge = randomBytes(16).toString('hex');
    const base = target.kind === 'component' ? target.component.url ?? '' : '';
    const verifyToken = target.kind === 'component' ? target.component.secrets.verifyToken ?? '' : '';
    const query = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.challenge': challenge, 'hub.verify_token': verifyToken });
    const url = `${base}${base.includes('?') ? '&' : '?'}${query.toString()}`;
    return {
      request: { method: 'GET', url, headers: headers(target), body: '' },
      check(res) {
        if (res.status !== 200) return { ok: false, reason: `the endpoint answered HTTP ${res.status}` };
        return res.body.trim() === challenge ? { ok: true } : { ok: false, reason: 'the answer is not the hub.challenge' };
      },
    };
  },
};
