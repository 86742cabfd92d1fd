import { assignController } from './control-state.js';
import { threadDefaults } from './control-steps.js';
import type { Conversation } from './conversation.js';
import type { EventDraft } from './events.js';
import type { Account, Channel, MessageContent, Service } from './model.js';
import { matchRule } from './rules.js';

/** What opening a chat reads first: where it is, who writes, and the services whose rules decide. */
export interface OpeningFacts {
  account: Account;
  channel: Channel;
  /** The chat id (ids.ts chatId). */
  id: string;
  customer: string;
  business?: string;
  /** The customer's first message; null when a component writes first (its rules see no text). */
  content: MessageContent | null;
  visitor?: Record<string, string>;
  visitorUnverified?: boolean;
  context?: Record<string, unknown>;
  services: readonly Service[];
  now: string;
  /** The component that opens the chat by writing first. */
  by?: string;
}

/**
 * The opening of a chat, the first state the control state machine knows it in: the matching
 * rule gives its mode, bot, desk and team, and the first thread starts as every thread does
 * (control-steps.ts threadDefaults), with the humans when the channel's emergency switch is on.
 *
 * @example openConversation({ account, channel, id, customer: '+3161…', content: { type: 'text', text: 'hi' }, services, now }).opened.type // 'conversation.opened'
 */
export function openConversation(f: OpeningFacts): { conversation: Conversation; opened: EventDraft } {
  const { account, channel } = f;
  const match = matchRule(f.services, 'message', {
    channelId: channel.id,
    text: f.content?.text ?? null,
    visitor: f.visitor ?? {},
    ...(f.visitorUnverified && f.visitor ? { unverified: Object.keys(f.visitor) } : {}),
    context: f.context ?? {},
    now: new Date(f.now),
  });
  const action = match?.rule.action;
  const mode = action?.type ?? 'desk';
  const bot = mode === 'desk' ? null : action?.bot ?? null;
  const conversation: Conversation = {
    accountId: account.id,
    id: f.id,
    channelId: channel.id,
    customer: f.customer,
    business: f.business ?? channel.address,
    status: 'open',
    serviceId: match?.serviceId ?? null,
    ruleId: match?.rule.id ?? null,
    mode,
    bot,
    desk: mode === 'bot' ? null : action?.desk ?? account.defaultDesk,
    mutations: {},
    emergency: false,
    controlVersion: 1,
    controller: 'none',
    team: null,
    ruleTeam: action?.team ?? null,
    categories: [],
    title: f.content ? titleOf(f.content) : null,
    context: {},
    visitor: {},
    position: null,
    botSession: null,
    agentSession: null,
    lastSeq: 0,
    createdAt: f.now,
    updatedAt: f.now,
    lastCustomerMessageAt: null,
  };
  threadDefaults(conversation, account, channel.emergency === true, channel.defaultCategories);
  assignController(conversation, account);
  const opened: EventDraft = {
    type: 'conversation.opened',
    data: { channelId: channel.id, customer: f.customer, business: conversation.business, serviceId: conversation.serviceId, ruleId: conversation.ruleId, mode, bot: conversation.bot, desk: conversation.desk, controller: conversation.controller, controlVersion: 1, ...(f.by ? { by: f.by } : {}) },
  };
  return { conversation, opened };
}

/** What a chat or thread is about: its first customer message, shortened (Engage `thread_title`). */
export function titleOf(content: MessageContent): string | null {
  return content.text ? content.text.slice(0, 100) : null;
}
