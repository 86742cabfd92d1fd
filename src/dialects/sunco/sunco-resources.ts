import { createHash } from 'node:crypto';
import type { Conversation } from '../../core/conversation.js';
import type { Message } from '../../core/model.js';
import { activeComponent, integrationOf } from './sunco-integrations.js';

/**
 * How Baton's conversations and messages read in Sunshine Conversations v2 (its OpenAPI
 * document: conversationTruncated, message, messageWebhook), shared by the REST answers and the
 * webhooks so both say the same thing. Every Baton conversation is one customer's on one channel:
 * a `personal` conversation.
 */

/** The customer as a Sunshine user: a stable id, and their channel address as `externalId`. */
export function userOf(conv: Pick<Conversation, 'accountId' | 'channelId' | 'customer'>): { id: string; externalId: string } {
  const id = createHash('sha256').update(`user\n${conv.accountId}\n${conv.channelId}\n${conv.customer}`).digest('hex').slice(0, 24);
  return { id, externalId: conv.customer };
}

/** `conversationTruncated`: the active and pending integrations are omitted when there are none, as the document says. */
export function conversationTruncated(conv: Conversation, opts: { omitActive?: boolean } = {}): Record<string, unknown> {
  const active = activeComponent(conv);
  const pending = conv.offer?.to ?? null;
  return {
    id: conv.id,
    type: 'personal',
    ...(active && !opts.omitActive ? { activeSwitchboardIntegration: integrationOf(conv.accountId, active) } : {}),
    ...(pending ? { pendingSwitchboardIntegration: integrationOf(conv.accountId, pending) } : {}),
  };
}

export function conversationResource(conv: Conversation): Record<string, unknown> {
  return {
    ...conversationTruncated(conv),
    isDefault: true,
    displayName: conv.title ?? null,
    metadata: {},
    businessLastRead: null,
    lastUpdatedAt: conv.lastCustomerMessageAt ?? conv.createdAt,
    createdAt: conv.createdAt,
  };
}

/** A Baton message's content in the document's content types (text with reply actions, image, file). */
export function contentOf(m: Message): Record<string, unknown> {
  const c = m.content;
  if (c.type === 'media' && c.media) {
    const image = (c.media.contentType ?? '').startsWith('image/');
    return { type: image ? 'image' : 'file', mediaUrl: c.media.url, ...(c.media.contentType ? { mediaType: c.media.contentType } : {}), ...(c.media.name ? { altText: c.media.name } : {}), ...(c.text ? { text: c.text } : {}) };
  }
  if (c.type === 'custom' && c.custom && typeof c.custom.type === 'string') return c.custom;
  const text = c.text ?? c.postback?.title ?? '';
  const actions = (c.buttons ?? []).map((b) => ({ type: 'reply', text: b.title, payload: b.payload ?? b.id ?? b.title }));
  return { type: 'text', text, ...(actions.length > 0 ? { actions } : {}) };
}

/** Who wrote it: the customer (`user`), or the business (a bot, an agent, Baton) with the subtype the document gives responses. */
export function authorOf(conv: Conversation, m: Message, webhook: boolean): Record<string, unknown> {
  if (m.author.kind === 'customer') {
    const user = userOf(conv);
    // Keys in the order of the document's conversation:message example.
    return { userId: user.id, type: 'user', ...(webhook ? { user: { id: user.id, externalId: user.externalId, authenticated: false } } : {}) };
  }
  const subtype = m.author.kind === 'agent' ? 'agent' : m.author.kind === 'bot' ? 'bot' : 'activity';
  return { type: 'business', subtypes: [subtype], ...(m.author.id ? { displayName: m.author.id } : {}) };
}

/** The message resource; `source.type` is where it came from: the customer's channel, or the API. */
export function messageResource(conv: Conversation, m: Message, webhook = false): Record<string, unknown> {
  const source = m.author.kind === 'customer'
    ? { integrationId: conv.channelId, ...(m.channelMessageId ? { originalMessageId: m.channelMessageId } : {}), type: 'baton' }
    : { type: 'api:conversations' };
  return { id: m.id, received: m.createdAt, author: authorOf(conv, m, webhook), content: contentOf(m), source };
}
