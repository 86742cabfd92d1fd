import type { AuditEntry } from './audit.js';
import type { Conversation } from './conversation.js';
import type { ConversationEvent } from './events.js';
import type { DeliveryTarget } from './fanout.js';
import type { Account, Agent, Channel, ChannelReachability, Component, Message, Service } from './model.js';

/** A delivery row before the store writes it: one event, one recipient (transactional outbox). */
export interface DeliveryDraft {
  id: string;
  accountId: string;
  conversationId: string;
  seq: number;
  eventType: string;
  target: DeliveryTarget;
  forReply: boolean;
  createdAt: string;
}

export interface ConversationFilter {
  status?: 'open' | 'closed';
  team?: string;
  controller?: 'bot' | 'desk' | 'none';
  /** Opaque position from a previous page. */
  after?: string;
  limit: number;
}

export interface IdempotencyRecord {
  fingerprint: string;
  result: unknown;
  createdAt: string;
}

export interface Timer {
  id: string;
  accountId: string;
  conversationId: string;
  kind: 'handover_wait';
  ref: string;
  dueAt: string;
}

/** What the core reads. Every lookup is by key or by an indexed column; none scans a table. */
export interface StoreReads {
  getAccount(id: string): Promise<Account | undefined>;
  accountIdForKey(keyHash: string): Promise<string | undefined>;
  listAccounts(): Promise<Account[]>;
  getChannel(accountId: string, id: string): Promise<Channel | undefined>;
  listChannels(accountId: string): Promise<Channel[]>;
  getComponent(accountId: string, id: string): Promise<Component | undefined>;
  listComponents(accountId: string): Promise<Component[]>;
  listServices(accountId: string): Promise<Service[]>;
  getAgent(accountId: string, id: string): Promise<Agent | undefined>;
  listAgents(accountId: string): Promise<Agent[]>;
  /** Agents online with the team (or any team when null) and the category (when given). */
  countAvailableAgents(accountId: string, team: string | null, category: string | null): Promise<number>;
  getConversation(accountId: string, id: string): Promise<Conversation | undefined>;
  listConversations(accountId: string, filter: ConversationFilter): Promise<{ items: Conversation[]; next: string | null }>;
  /** Ids of open conversations after `afterId`, in id order, for account-wide sweeps in batches. */
  listOpenConversationIds(accountId: string, afterId: string | null, limit: number): Promise<string[]>;
  findConversationByBotSession(accountId: string, botSessionId: string): Promise<Conversation | undefined>;
  findConversationByAgentSession(accountId: string, agentSessionId: string): Promise<Conversation | undefined>;
  /** The conversation a work item (current or earlier) belongs to. */
  findConversationByWorkItem(accountId: string, workItemId: string): Promise<Conversation | undefined>;
  listEvents(accountId: string, conversationId: string, afterSeq: number, limit: number): Promise<ConversationEvent[]>;
  getEvent(accountId: string, conversationId: string, seq: number): Promise<ConversationEvent | undefined>;
  getMessage(accountId: string, id: string): Promise<Message | undefined>;
  listMessages(accountId: string, conversationId: string, limit: number): Promise<Message[]>;
  /** A message of one chat by the id its channel gave it (ids are unique per chat, not per channel). */
  findMessageByChannelMessageId(accountId: string, channelId: string, conversationId: string, channelMessageId: string): Promise<Message | undefined>;
  getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | undefined>;
  dueTimers(now: string, limit: number): Promise<Timer[]>;
  agentPasswordHash(accountId: string, agentId: string): Promise<string | null>;
  /** The account's audit log, newest first, before the given entry id's position when paging. */
  listAudit(accountId: string, opts: { before?: { at: string; id: string }; limit: number }): Promise<AuditEntry[]>;
  /** Who a dialect webhook token (by its digest) belongs to. */
  findInboundToken(tokenHash: string): Promise<InboundToken | undefined>;
}

export interface InboundToken {
  accountId: string;
  ownerKind: 'component' | 'channel';
  ownerId: string;
}

/** What the core writes; only inside a transaction. */
export interface StoreTx extends StoreReads {
  /** Reads the conversation and holds it against concurrent writers until commit. */
  lockConversation(accountId: string, id: string): Promise<Conversation | undefined>;
  /** Inserts unless another writer got there first; false when it already existed. */
  insertConversation(conv: Conversation): Promise<boolean>;
  /** Writes the new state; `previous` (the state it was read as) spares rewriting unchanged session rows. */
  updateConversation(conv: Conversation, previous?: Conversation): Promise<void>;
  appendEvents(events: ConversationEvent[]): Promise<void>;
  insertMessage(message: Message, channelId: string): Promise<void>;
  /** Inserts unless the channel already delivered a message with this channel message id in this chat; false then. */
  insertMessageOnce(message: Message, channelId: string): Promise<boolean>;
  insertDeliveries(rows: DeliveryDraft[]): Promise<void>;
  putIdempotency(accountId: string, key: string, record: IdempotencyRecord): Promise<void>;
  putTimer(timer: Timer): Promise<void>;
  deleteTimer(id: string): Promise<void>;
  setAccountEmergency(accountId: string, on: boolean): Promise<void>;
  setAgentPresence(accountId: string, agentId: string, presence: Agent['presence']): Promise<void>;
  /**
   * The run-time switch of a channel; false when there is no such channel. It outlives applying
   * the same configuration again; a configuration whose `active` value changed wins.
   */
  setChannelActive(accountId: string, channelId: string, active: boolean): Promise<boolean>;
  /** Records the outcome of a reachability check; configuration applies leave it alone. */
  recordChannelReachability(accountId: string, channelId: string, reachability: ChannelReachability): Promise<void>;
  /** A channel's emergency switch (run-time state, kept across configuration applies); false when there is no such channel. */
  setChannelEmergency(accountId: string, channelId: string, on: boolean): Promise<boolean>;
  upsertAccount(account: Account, keyHashes: string[]): Promise<void>;
  upsertChannel(channel: Channel): Promise<void>;
  upsertComponent(component: Component): Promise<void>;
  replaceServices(accountId: string, services: Service[]): Promise<void>;
  upsertAgent(agent: Agent, passwordHash: string | null): Promise<void>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Replaces every inbound token of an account (configuration is the source of truth). */
  replaceInboundTokens(accountId: string, tokens: { tokenHash: string; ownerKind: 'component' | 'channel'; ownerId: string }[]): Promise<void>;
}

export interface Store extends StoreReads {
  readonly engine: 'sqlite' | 'postgres';
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  migrate(): Promise<{ applied: string[] }>;
  pendingMigrations(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Thrown by a store when a write lost a race (a unique key taken, a serialization failure);
 * the router runs the command again, which then sees the winner's row.
 */
export class WriteConflict extends Error {
  constructor(cause: unknown) {
    super('write conflict', { cause });
    this.name = 'WriteConflict';
  }
}
