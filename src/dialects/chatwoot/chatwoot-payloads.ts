import type { WidgetOpening } from '../../core/control-types.js';
import type { Conversation } from '../../core/conversation.js';
import type { Account, Message } from '../../core/model.js';
import { chatwootContent } from './chatwoot-content.js';
import { chatwootIds as ids } from './chatwoot-ids.js';
import { chatwootStatus } from './chatwoot-status.js';

/**
 * Chatwoot's objects as its webhooks and API carry them (its docs' "Webhook Events" samples:
 * `Message#webhook_data`, `Conversation#webhook_data` and `push_event_data`), keys in their order.
 */

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function accountObject(account: Pick<Account, 'id' | 'name'>): Record<string, unknown> {
  return { id: ids.account(account.id), name: account.name };
}

export function inboxObject(conv: Conversation): Record<string, unknown> {
  return { id: ids.inbox(conv.accountId, conv.channelId), name: conv.channelId };
}

function contactName(conv: Conversation): string {
  return conv.visitor.name ?? conv.customer;
}

/** The contact as `meta.sender` carries it (Contact#push_event_data). */
function contactPush(conv: Conversation): Record<string, unknown> {
  return {
    additional_attributes: {},
    custom_attributes: {},
    email: conv.visitor.email ?? null,
    id: ids.contact(conv.accountId, conv.channelId, conv.customer),
    identifier: conv.customer,
    name: contactName(conv),
    phone_number: /^\+[0-9]{6,15}$/.test(conv.customer) ? conv.customer : null,
    thumbnail: '',
    type: 'contact',
  };
}

/** Who wrote a message, as a message's `sender` (webhook_data): a contact, a user (agent) or an agent bot. */
function sender(m: Message, conv: Conversation): Record<string, unknown> | null {
  const { kind, id } = m.author;
  if (kind === 'customer') return { id: ids.contact(conv.accountId, conv.channelId, conv.customer), name: contactName(conv), avatar: '', type: 'contact' };
  if (kind === 'agent' && id) return { id: ids.user(conv.accountId, id), name: id, email: null, type: 'user' };
  if (kind === 'bot' && id) return { id: ids.agentBot(conv.accountId, id), name: id, avatar_url: '', type: 'agent_bot' };
  return null;
}

const SENDER_TYPE = { customer: 'Contact', agent: 'User', bot: 'AgentBot', system: null } as const;

function messageStatus(m: Message): string {
  return m.status === 'accepted' ? 'sent' : m.status;
}

/** A message as a conversation's `messages` and the messages API answer it (Message#push_event_data). */
export function pushMessage(m: Message, conv: Conversation): Record<string, unknown> {
  const c = chatwootContent(m);
  const who = sender(m, conv);
  return {
    id: ids.message(m.id),
    content: c.content,
    account_id: ids.account(conv.accountId),
    inbox_id: ids.inbox(conv.accountId, conv.channelId),
    conversation_id: ids.conversation(conv.id),
    message_type: m.author.kind === 'customer' ? 0 : 1,
    created_at: epoch(m.createdAt),
    updated_at: m.createdAt,
    private: false,
    status: messageStatus(m),
    source_id: m.channelMessageId,
    content_type: c.content_type,
    content_attributes: c.content_attributes,
    sender_type: SENDER_TYPE[m.author.kind],
    sender_id: who ? who.id : null,
    external_source_ids: {},
    ...(c.attachments.length > 0 ? { attachments: c.attachments } : {}),
    ...(who ? { sender: who } : {}),
  };
}

function assignee(conv: Conversation): Record<string, unknown> | null {
  const agentId = conv.agentSession && conv.agentSession.status !== 'closed' ? conv.agentSession.agentId : null;
  return agentId ? { id: ids.user(conv.accountId, agentId), name: agentId, available_name: agentId, avatar_url: '', type: 'user', availability_status: 'online' } : null;
}

/** The conversation (Conversation#webhook_data): its status, `meta.sender`, and its latest message when there is one. */
export function conversationObject(conv: Conversation, latest: Message | null): Record<string, unknown> {
  const contactInbox = ids.contactInbox(conv.accountId, conv.channelId, conv.customer);
  return {
    additional_attributes: {},
    can_reply: conv.status === 'open',
    channel: 'Channel::Api',
    contact_inbox: {
      id: contactInbox,
      contact_id: ids.contact(conv.accountId, conv.channelId, conv.customer),
      inbox_id: ids.inbox(conv.accountId, conv.channelId),
      source_id: conv.customer,
      created_at: conv.createdAt,
      updated_at: conv.updatedAt,
      hmac_verified: false,
    },
    id: ids.conversation(conv.id),
    inbox_id: ids.inbox(conv.accountId, conv.channelId),
    messages: latest ? [pushMessage(latest, conv)] : [],
    meta: { sender: contactPush(conv), assignee: assignee(conv) },
    status: chatwootStatus(conv),
    unread_count: 0,
    agent_last_seen_at: 0,
    contact_last_seen_at: 0,
    timestamp: epoch(conv.updatedAt),
  };
}

/** A message as message_created / message_updated carry it (Message#webhook_data), before `event`. */
export function messageObject(m: Message, conv: Conversation, account: Pick<Account, 'id' | 'name'>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const c = chatwootContent(m);
  return {
    id: ids.message(m.id),
    content: c.content,
    created_at: m.createdAt,
    message_type: m.author.kind === 'customer' ? 'incoming' : 'outgoing',
    content_type: c.content_type,
    private: false,
    content_attributes: c.content_attributes,
    source_id: m.channelMessageId,
    sender: sender(m, conv),
    ...(c.attachments.length > 0 ? { attachments: c.attachments } : {}),
    ...extra,
    inbox: inboxObject(conv),
    conversation: conversationObject(conv, m),
    account: accountObject(account),
  };
}

/** The contact as webhooks carry it (Contact#webhook_data). */
function contactObject(conv: Conversation, account: Pick<Account, 'id' | 'name'>): Record<string, unknown> {
  const push = contactPush(conv);
  return {
    account: accountObject(account),
    additional_attributes: {},
    avatar: '',
    custom_attributes: {},
    email: push.email,
    id: push.id,
    identifier: push.identifier,
    name: push.name,
    phone_number: push.phone_number,
    thumbnail: '',
    blocked: false,
  };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * `initiated_at.timestamp` as Chatwoot's widget writes it, JavaScript's `Date#toString()`, here in
 * UTC so that it does not depend on where Baton runs: `Fri Dec 04 2026 20:30:00 GMT+0000 (Coordinated Universal Time)`.
 */
function widgetTimestamp(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} GMT+0000 (Coordinated Universal Time)`;
}

/**
 * webwidget_triggered: the contact inbox (ContactInbox#webhook_data, the visitor's chat with its
 * latest conversation), then `event`, then `event_info` as the widget and Chatwoot's events
 * controller make it (the page's `initiated_at` and `referer`, the widget's and the browser's
 * languages, the browser as the user agent names it).
 */
export function widgetTriggered(conv: Conversation, account: Pick<Account, 'id' | 'name'>, opening: WidgetOpening, at: string): Record<string, unknown> {
  const b = opening.browser;
  return {
    id: ids.contactInbox(conv.accountId, conv.channelId, conv.customer),
    contact: contactObject(conv, account),
    inbox: inboxObject(conv),
    account: accountObject(account),
    current_conversation: conversationObject(conv, null),
    source_id: conv.customer,
    event: 'webwidget_triggered',
    event_info: {
      initiated_at: { timestamp: widgetTimestamp(at) },
      referer: opening.referer ?? '',
      widget_language: opening.widgetLanguage,
      browser_language: opening.browserLanguage,
      browser: {
        browser_name: b?.name ?? 'Unknown Browser',
        browser_version: b?.version ?? '0.0',
        device_name: b?.device ?? 'Unknown',
        platform_name: b?.platform ?? 'Unknown',
        platform_version: b?.platformVersion ?? '0',
      },
    },
  };
}
