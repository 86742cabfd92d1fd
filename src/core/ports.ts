import type { AuditEntry } from './audit.js';
import type { HandBack } from './control-types.js';
import type { Conversation } from './conversation.js';
import type { DeskFigureReads } from './desk-figures.js';
import type { ConversationEvent } from './events.js';
import type { DeliveryTarget } from './fanout.js';
import type { StoredFile } from './files.js';
import type { Account, Agent, Channel, ChannelReachability, Component, Message, Service } from './model.js';
import type { WidgetLookFields } from './widget-look.js';

/**
 * What a delivery is rendered from, taken when its event is committed: the event, the
 * conversation as that command left it, and the message the event is about. Sending reads
 * nothing else of the conversation, so a delivery says what was true when it happened.
 */
export interface DeliverySnapshot {
  event: ConversationEvent;
  conversation: Conversation;
  message: Message | null;
}

/** A delivery row before the store writes it: one event, one recipient (transactional outbox). */
export interface DeliveryDraft {
  id: string;
  accountId: string;
  conversationId: string;
  seq: number;
  eventType: string;
  target: DeliveryTarget;
  forReply: boolean;
  /** A person waits for it (a customer's or a reply's message): claimed before control events. */
  urgent: boolean;
  createdAt: string;
  snapshot: DeliverySnapshot;
}

/**
 * A lease the committing process takes on the cursors its new deliveries start, so that it sends
 * them itself right after commit instead of waiting for a claim. Until `until` no other
 * dispatcher claims them; if the process dies, they are simply due again then.
 */
export interface DeliveryLease {
  claimId: string;
  until: string;
}

/**
 * Where committed deliveries go (the outbox dispatcher of this process). Core asks it for a lease
 * before writing and hands it what the lease took after commit.
 */
export interface DeliveryIntake {
  /**
   * A lease for the deliveries of one transaction, or null when this process has no room to send
   * soon. `urgent`: the transaction writes a delivery a person waits for, which gets room longer.
   */
  lease(urgent?: boolean): DeliveryLease | null;
  /** After commit: the deliveries whose cursors the lease took, each its cursor's head. */
  accept(leased: DeliveryDraft[], lease: DeliveryLease): void;
  /**
   * After commit: deliveries were written that some dispatcher must claim (no lease, or behind a
   * busy cursor). This process may keep their snapshots to send them without reading them back.
   */
  pending(written: readonly DeliveryDraft[]): void;
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
  /** `handover_wait`: ref is the agent session; `bot_failover`: ref is the delivery the customer waits on. */
  kind: 'handover_wait' | 'bot_failover' | 'offer_deadline';
  ref: string;
  dueAt: string;
}

/** An account-wide emergency sweep's progress. */
export interface EmergencySweep {
  accountId: string;
  on: boolean;
  afterId: string | null;
  startedAt: string;
  /** Switching off: what becomes of the conversations the switch handed over (absent: `tell_bots`). */
  handBack?: HandBack;
}

/** What the core reads. Every lookup is by key or by an indexed column; none scans a table. */
export interface StoreReads extends DeskFigureReads {
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
  /** Online agents of the team holding the category (core/agent-scope.ts), who may read the channel when one is named. */
  countAvailableAgents(accountId: string, team: string | null, category: string | null, channelId?: string | null): Promise<number>;
  getConversation(accountId: string, id: string): Promise<Conversation | undefined>;
  listConversations(accountId: string, filter: ConversationFilter): Promise<{ items: Conversation[]; next: string | null }>;
  /** Ids of open conversations after `afterId`, in id order, for account-wide sweeps in batches. */
  listOpenConversationIds(accountId: string, afterId: string | null, limit: number): Promise<string[]>;
  findConversationByBotSession(accountId: string, botSessionId: string): Promise<Conversation | undefined>;
  findConversationByAgentSession(accountId: string, agentSessionId: string): Promise<Conversation | undefined>;
  /** The conversation whose integer id (core/ids.ts conversationNumber) is `number`. */
  findConversationByNumber(accountId: string, number: number): Promise<Conversation | undefined>;
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
  /** Where a delivery stands (the core's timers ask whether a customer still waits on one). */
  deliveryState(deliveryId: string): Promise<{ state: string; targetId: string; lastError: string | null } | undefined>;
  /** Emergency sweeps under way (or cut short by a crash): which way, and the last conversation done. */
  listSweeps(): Promise<EmergencySweep[]>;
  agentPasswordHash(accountId: string, agentId: string): Promise<string | null>;
  /** Who owns each of the account's agents, removed ones included (migration 020). */
  agentOwnership(accountId: string): Promise<AgentOwnership[]>;
  /** The web chat look the admin page set for a channel, field by field. */
  widgetLook(accountId: string, channelId: string): Promise<WidgetLookFields>;
  /** The account's audit log, newest first, before the given entry id's position when paging. */
  listAudit(accountId: string, opts: { before?: { at: string; id: string }; limit: number }): Promise<AuditEntry[]>;
  /** Who a dialect webhook token (by its digest) belongs to. */
  findInboundToken(tokenHash: string): Promise<InboundToken | undefined>;
  /** Every inbound token digest of an account, with its owner (the configuration keeps those it generated). */
  listInboundTokens(accountId: string): Promise<(InboundToken & { tokenHash: string })[]>;
  /** The conversations of one customer address in the account, only those on `channelId` when given. */
  listCustomerConversations(accountId: string, customer: string, channelId: string | null): Promise<Conversation[]>;
  /** A conversation's messages after a position, oldest first, to read all of them in pages. */
  listMessagesAfter(accountId: string, conversationId: string, after: { createdAt: string; id: string } | null, limit: number): Promise<Message[]>;
  /** A stored file with its bytes; another account's id is not found. */
  getFile(accountId: string, id: string): Promise<{ file: StoredFile; bytes: Buffer } | undefined>;
  /** A conversation's files, oldest first, without their bytes (exports). */
  listConversationFiles(accountId: string, conversationId: string): Promise<StoredFile[]>;
}

export interface InboundToken {
  accountId: string;
  ownerKind: 'component' | 'channel';
  ownerId: string;
  /** What the token is (`webhook_token`, `access_token`, `product_token`, `channel_token`): what it may open. */
  kind: string;
}

/** What a command reads before it decides: the account, the conversation and its channel. */
export interface CommandScope {
  account: Account;
  conversation: Conversation;
  /** Absent when the conversation's channel was deleted. */
  channel: Channel | undefined;
}

/** What the core writes; only inside a transaction. */
export interface StoreTx extends StoreReads {
  /** Reads the conversation and holds it against concurrent writers until commit. */
  lockConversation(accountId: string, id: string): Promise<Conversation | undefined>;
  /** The conversation (held like `lockConversation`), its account and its channel, in one read. */
  lockScope(accountId: string, conversationId: string): Promise<CommandScope | undefined>;
  /** An account and one of its channels, in one read; undefined when either is missing. */
  getAccountChannel(accountId: string, channelId: string): Promise<{ account: Account; channel: Channel } | undefined>;
  /** Inserts unless another writer got there first; false when it already existed. */
  insertConversation(conv: Conversation): Promise<boolean>;
  /** Writes the new state; `previous` (the state it was read as) spares rewriting unchanged session rows. */
  updateConversation(conv: Conversation, previous?: Conversation): Promise<void>;
  appendEvents(events: ConversationEvent[]): Promise<void>;
  insertMessage(message: Message, channelId: string): Promise<void>;
  /** Inserts unless the channel already delivered a message with this channel message id in this chat; false then. */
  insertMessageOnce(message: Message, channelId: string): Promise<boolean>;
  /**
   * Writes the deliveries and wakes their cursors. With a lease, idle cursors are taken by it at
   * once; the answer is the deliveries whose cursor it took (each the head of its cursor).
   */
  insertDeliveries(rows: DeliveryDraft[], lease?: DeliveryLease | null): Promise<DeliveryDraft[]>;
  putIdempotency(accountId: string, key: string, record: IdempotencyRecord): Promise<void>;
  putTimer(timer: Timer): Promise<void>;
  /** Records a sweep's progress; `afterId` null when it starts. */
  putSweep(sweep: EmergencySweep): Promise<void>;
  /** The sweep is done, unless a newer one (the switch flipped again) replaced it. */
  endSweep(accountId: string, startedAt: string): Promise<void>;
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
  /** An agent baton.yaml names; the file owns it from then on. `passwordFrom` defaults to 'config'. */
  upsertAgent(agent: Agent, passwordHash: string | null, passwordFrom?: PasswordSource): Promise<void>;
  /** An agent the admin page adds (or adds again after removing it); false when the id is taken. */
  insertInboxAgent(agent: Agent, passwordHash: string): Promise<boolean>;
  /** A password the admin page sets; the agent's logins end. */
  setInboxPassword(accountId: string, agentId: string, passwordHash: string): Promise<void>;
  /** Removes an agent the inbox manages: kept for the record, no password, no login. */
  removeInboxAgent(accountId: string, agentId: string, at: string): Promise<void>;
  putWidgetLook(accountId: string, channelId: string, look: WidgetLookFields, at: string): Promise<void>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Replaces every inbound token of an account (configuration is the source of truth). */
  replaceInboundTokens(accountId: string, tokens: { tokenHash: string; ownerKind: 'component' | 'channel'; ownerId: string; kind?: string }[]): Promise<void>;
  /**
   * Marks what the configuration no longer names in the account as removed (kept, never
   * authenticating); returns it. Agents the inbox manages are not the file's to remove.
   */
  retireUnlisted(accountId: string, keep: ConfiguredIds, at: string): Promise<RetiredIds>;
  /** Removes every account not named (keys, tokens and logins gone); returns their ids. */
  retireAccountsExcept(accountIds: string[], at: string): Promise<string[]>;
  /** Ends the inbox logins of these agents. */
  endLogins(accountId: string, agentIds: string[]): Promise<void>;
  /**
   * Empties what people wrote in one conversation wherever the store keeps a copy: messages
   * (marked erased), event data, delivery snapshots and error texts, idempotent answers; deletes
   * its uploaded files. The rules are core/erasure.ts. Counts the rows it changed, so a second erasure counts none.
   */
  eraseConversationContent(accountId: string, conversationId: string, at: string): Promise<{ messages: number; events: number; deliveries: number; files: number }>;
  insertFile(file: StoredFile, bytes: Buffer): Promise<void>;
  /** False when there was no such file. */
  deleteFile(accountId: string, id: string): Promise<boolean>;
}

/** Where an agent's password was set; null: it has none and cannot log in. */
export type PasswordSource = 'config' | 'inbox' | null;

/** Whether baton.yaml or the inbox's admin page owns an agent. */
export interface AgentOwnership {
  id: string;
  managedBy: 'config' | 'inbox';
  passwordFrom: PasswordSource;
  removed: boolean;
}

/** The ids an account's configuration names. */
export interface ConfiguredIds {
  channels: string[];
  components: string[];
  agents: string[];
}

export type RetiredIds = ConfiguredIds;

export interface Store extends StoreReads {
  readonly engine: 'sqlite' | 'postgres';
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  migrate(): Promise<{ applied: string[] }>;
  pendingMigrations(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** After an erasure: removes the old bytes from the engine's files where it can (SQLite: empties the WAL). */
  scrub(): Promise<void>;
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
