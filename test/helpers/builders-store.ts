import type { Conversation } from '../../src/core/conversation.js';
import type { ConversationEvent } from '../../src/core/events.js';
import type { Account, Agent, Channel, Component, Message, Service } from '../../src/core/model.js';
import type { DeliveryDraft, Timer } from '../../src/core/ports.js';

// Complete model objects with plain defaults, so each store test states only what it is about.

export const T0 = '2025-01-01T09:00:00.000Z';

/** An ISO instant `minutes` after T0: fixed-width, so string order is time order. */
export function at(minutes: number): string {
  return new Date(Date.parse(T0) + minutes * 60_000).toISOString();
}

export function anAccount(over: Partial<Account> = {}): Account {
  return {
    id: 'acme',
    name: 'Acme',
    reopenPolicy: 'agent-first',
    threadInclusionDelayMs: 60_000,
    availability: { policy: 'queue', waitMs: 0 },
    defaultDesk: 'inbox',
    teams: [{ id: 'sales', values: ['buy'] }],
    categories: { bot: 'BOT', agent: 'AGENT' },
    emergency: false,
    ...over,
  };
}

export function aChannel(over: Partial<Channel> = {}): Channel {
  return {
    accountId: 'acme',
    id: 'web',
    kind: 'webchat',
    address: 'acme-web',
    outboundUrl: null,
    credentials: { token: 't0' },
    realtime: true,
    defaultCategories: ['BOT'],
    active: true,
    ...over,
  };
}

export function aComponent(over: Partial<Component> = {}): Component {
  return {
    accountId: 'acme',
    id: 'CmBot',
    kind: 'bot',
    dialect: 'native',
    url: 'http://127.0.0.1:9/bot',
    secrets: { signing: 's0' },
    retry: { schedule: [1000, 5000], timeoutMs: 5000, breakAfter: 5, jitter: 0, onExhausted: 'skip' },
    health: 'active',
    flows: [{ id: 'main', steps: ['start', 'end'] }],
    options: {},
    ...over,
  };
}

export function aService(over: Partial<Service> = {}): Service {
  return {
    accountId: 'acme',
    id: 'default',
    channels: ['web'],
    rules: [{ id: 'r1', trigger: { event: 'message' }, action: { type: 'bot', bot: 'CmBot', desk: 'inbox' } }],
    ...over,
  };
}

export function anAgent(over: Partial<Agent> = {}): Agent {
  return { accountId: 'acme', id: 'alice', name: 'Alice', teams: ['sales'], categories: [], presence: 'offline', ...over };
}

export function aConversation(over: Partial<Conversation> = {}): Conversation {
  return {
    accountId: 'acme',
    id: 'c-0001',
    channelId: 'web',
    customer: 'visitor-1',
    business: 'acme-web',
    status: 'open',
    serviceId: 'default',
    ruleId: 'r1',
    mode: 'bot',
    bot: 'CmBot',
    desk: 'inbox',
    mutations: {},
    emergency: false,
    controlVersion: 1,
    controller: 'bot',
    team: null,
    ruleTeam: null,
    categories: ['BOT'],
    context: { lang: 'en' },
    visitor: { name: 'Vi' },
    position: null,
    botSession: { id: 'bs-0001', componentId: 'CmBot', openedAt: T0 },
    agentSession: null,
    lastSeq: 0,
    createdAt: T0,
    updatedAt: T0,
    lastCustomerMessageAt: null,
    ...over,
  };
}

export function anEvent(seq: number, over: Partial<ConversationEvent> = {}): ConversationEvent {
  return { accountId: 'acme', conversationId: 'c-0001', seq, type: 'message.received', at: at(seq), data: { n: seq }, ...over };
}

export function aMessage(over: Partial<Message> = {}): Message {
  return {
    accountId: 'acme',
    conversationId: 'c-0001',
    id: 'm-0001',
    author: { kind: 'customer', id: 'visitor-1' },
    content: { type: 'text', text: 'hello' },
    channelMessageId: null,
    status: 'accepted',
    createdAt: T0,
    ...over,
  };
}

export function aDelivery(over: Partial<DeliveryDraft> = {}): DeliveryDraft {
  return {
    id: 'd-0001',
    accountId: 'acme',
    conversationId: 'c-0001',
    seq: 1,
    eventType: 'message.received',
    target: { kind: 'component', id: 'CmBot' },
    forReply: true,
    urgent: true,
    createdAt: T0,
    snapshot: { event: anEvent(1), conversation: aConversation(), message: null },
    ...over,
  };
}

export function aTimer(over: Partial<Timer> = {}): Timer {
  return { id: 't-0001', accountId: 'acme', conversationId: 'c-0001', kind: 'handover_wait', ref: 'as-0001', dueAt: at(5), ...over };
}
