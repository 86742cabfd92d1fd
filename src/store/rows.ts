import { conversationNumber } from '../core/ids.js';
import type { Conversation } from '../core/conversation.js';
import type { ConversationEvent, EventType } from '../core/events.js';
import type { Account, Agent, Channel, Component, Message, Service } from '../core/model.js';
import type { HandBack } from '../core/control-types.js';
import type { DeliveryDraft, EmergencySweep } from '../core/ports.js';
import type { AccountsTable, AgentsTable, ChannelsTable, ComponentsTable, ConversationsTable, DeliveriesTable, EmergencySweepsTable, EventsTable, MessagesTable, ServicesTable } from './schema.js';

// Row <-> model mapping. Columns hold what queries filter on; the rest rides in a JSON `settings`.

const parsedSettings = new Map<string, unknown>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The same few settings documents (an account's, its channels' and components') are read for every
 * message; each is parsed once and shared, frozen so that no reader can change what another sees.
 */
function settingsOf<T>(json: string): T {
  let value = parsedSettings.get(json);
  if (value === undefined) {
    value = deepFreeze(JSON.parse(json) as unknown);
    if (parsedSettings.size >= 512) parsedSettings.delete(parsedSettings.keys().next().value!);
    parsedSettings.set(json, value);
  }
  return value as T;
}

export function toAccount(r: AccountsTable): Account {
  return { ...settingsOf<Omit<Account, 'id' | 'name' | 'emergency'>>(r.settings), id: r.id, name: r.name, emergency: r.emergency === 1 };
}

export function fromAccount(a: Account): AccountsTable {
  const { id, name, emergency, ...settings } = a;
  return { id, name, emergency: emergency ? 1 : 0, settings: JSON.stringify(settings), updated_at: new Date().toISOString() };
}

export function toChannel(r: ChannelsTable): Channel {
  const channel: Channel = { ...settingsOf<Omit<Channel, 'accountId' | 'id' | 'kind' | 'active'>>(r.settings), accountId: r.account_id, id: r.id, kind: r.kind as Channel['kind'], active: r.active === 1 };
  if (r.reachability_checked_at) channel.reachability = { warning: r.reachability_warning ?? null, checkedAt: r.reachability_checked_at };
  if (r.emergency === 1) channel.emergency = true;
  return channel;
}

/** The configured part of a channel; its reachability is run-time state with columns of its own. */
export function fromChannel(c: Channel): ChannelsTable {
  const { accountId, id, kind, active, reachability: _r, emergency: _e, ...settings } = c;
  return { account_id: accountId, id, kind, active: active ? 1 : 0, settings: JSON.stringify(settings) };
}

export function toComponent(r: ComponentsTable): Component {
  return { ...settingsOf<Omit<Component, 'accountId' | 'id' | 'kind' | 'dialect' | 'health'>>(r.settings), accountId: r.account_id, id: r.id, kind: r.kind as Component['kind'], dialect: r.dialect, health: r.health as Component['health'] };
}

export function fromComponent(c: Component): ComponentsTable {
  const { accountId, id, kind, dialect, health, ...settings } = c;
  return { account_id: accountId, id, kind, dialect, health, settings: JSON.stringify(settings) };
}

export function toService(r: ServicesTable): Service {
  return { ...(JSON.parse(r.settings) as Omit<Service, 'accountId' | 'id'>), accountId: r.account_id, id: r.id };
}

export function fromService(s: Service, position: number): ServicesTable {
  const { accountId, id, ...settings } = s;
  return { account_id: accountId, id, position, settings: JSON.stringify(settings) };
}

export function toAgent(r: AgentsTable): Agent {
  return { ...(JSON.parse(r.settings) as { name: string; admin?: boolean; sources?: string[] }), accountId: r.account_id, id: r.id, presence: r.presence as Agent['presence'], teams: JSON.parse(r.teams) as string[], categories: JSON.parse(r.categories) as string[] };
}

export function fromAgent(a: Agent, passwordHash: string | null): AgentsTable {
  return { account_id: a.accountId, id: a.id, presence: a.presence, teams: JSON.stringify(a.teams), categories: JSON.stringify(a.categories), settings: JSON.stringify({ name: a.name, ...(a.admin ? { admin: true } : {}), ...(a.sources ? { sources: a.sources } : {}) }), password_hash: passwordHash };
}

export function toConversation(state: string): Conversation {
  return JSON.parse(state) as Conversation;
}

export function fromConversation(c: Conversation): ConversationsTable {
  return {
    account_id: c.accountId,
    id: c.id,
    channel_id: c.channelId,
    status: c.status,
    controller: c.controller,
    team: c.team,
    control_version: c.controlVersion,
    last_seq: c.lastSeq,
    bot_session_id: c.botSession?.id ?? null,
    agent_session_id: c.agentSession?.id ?? null,
    updated_at: c.updatedAt,
    state: JSON.stringify(c),
    customer: c.customer,
    number: conversationNumber(c.id),
  };
}

export function toEvent(r: EventsTable): ConversationEvent {
  return { accountId: r.account_id, conversationId: r.conversation_id, seq: Number(r.seq), type: r.type as EventType, at: r.at, data: JSON.parse(r.data) as Record<string, unknown> };
}

export function fromEvent(e: ConversationEvent): EventsTable {
  return { account_id: e.accountId, conversation_id: e.conversationId, seq: e.seq, type: e.type, at: e.at, data: JSON.stringify(e.data) };
}

export function toMessage(r: MessagesTable): Message {
  return {
    accountId: r.account_id,
    conversationId: r.conversation_id,
    id: r.id,
    author: { kind: r.author_kind as Message['author']['kind'], id: r.author_id },
    content: JSON.parse(r.content) as Message['content'],
    channelMessageId: r.channel_message_id,
    ...(r.in_reply_to ? { inReplyTo: r.in_reply_to } : {}),
    status: r.status as Message['status'],
    createdAt: r.created_at,
    ...(r.erased_at ? { erasedAt: r.erased_at } : {}),
  };
}

export function fromMessage(m: Message, channelId: string): MessagesTable {
  return {
    account_id: m.accountId,
    id: m.id,
    conversation_id: m.conversationId,
    channel_id: channelId,
    channel_message_id: m.channelMessageId,
    author_kind: m.author.kind,
    author_id: m.author.id,
    status: m.status,
    content: JSON.stringify(m.content),
    created_at: m.createdAt,
    in_reply_to: m.inReplyTo ?? null,
  };
}

export function fromDelivery(d: DeliveryDraft): DeliveriesTable {
  return {
    id: d.id,
    account_id: d.accountId,
    conversation_id: d.conversationId,
    seq: d.seq,
    event_type: d.eventType,
    target_kind: d.target.kind,
    target_id: d.target.id,
    for_reply: d.forReply ? 1 : 0,
    state: 'pending',
    attempts: 0,
    next_attempt_at: d.createdAt,
    created_at: d.createdAt,
    last_error: null,
    payload: JSON.stringify(d.snapshot),
  };
}

/**
 * A sweep's direction and, switching off, its choice, in the one integer column `on` (migration
 * 012): 1 is on, 0 off telling the bots (what every sweep did before there was a choice), 2 and 3
 * off quietly or keeping the humans. A sweep resumed after a crash must do what was asked.
 */
const SWEEP_OFF: Readonly<Record<HandBack, number>> = Object.freeze({ tell_bots: 0, quietly: 2, keep_with_agents: 3 });

export function fromSweep(w: EmergencySweep): EmergencySweepsTable {
  return { account_id: w.accountId, on: w.on ? 1 : SWEEP_OFF[w.handBack ?? 'tell_bots'], after_id: w.afterId, started_at: w.startedAt };
}

export function toSweep(r: EmergencySweepsTable): EmergencySweep {
  const base = { accountId: r.account_id, afterId: r.after_id, startedAt: r.started_at };
  if (r.on === 1) return { ...base, on: true };
  const handBack = (Object.keys(SWEEP_OFF) as HandBack[]).find((k) => SWEEP_OFF[k] === r.on) ?? 'tell_bots';
  return { ...base, on: false, handBack };
}
