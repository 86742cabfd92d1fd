import { type Kysely, Migrator, type Transaction, sql } from 'kysely';
import type { Conversation } from '../core/conversation.js';
import { BatonError } from '../core/errors.js';
import type { ConversationEvent } from '../core/events.js';
import type { Account, Agent, Channel, ChannelReachability, Component, Message, Service } from '../core/model.js';
import {
  type ConversationFilter,
  type DeliveryDraft,
  type IdempotencyRecord,
  type InboundToken,
  type Store,
  type StoreTx,
  type Timer,
  WriteConflict,
} from '../core/ports.js';
import type { LiveBus } from '../live/live-bus.js';
import { migrationProvider } from './migrations/index.js';
import * as rows from './rows.js';
import type { Database } from './schema.js';

/** What differs between engines, as flags rather than `if (engine === ...)` in the queries. */
export interface Capabilities {
  engine: 'sqlite' | 'postgres';
  /** Row locks exist (PostgreSQL); without them the single writer serialises transactions. */
  rowLocks: boolean;
  /** Write transactions worth running at once: SQLite has one writer; PostgreSQL a pool of connections. */
  writeConcurrency: number;
  /** Error codes that mean "another writer won a race". */
  conflictCodes: readonly string[];
  /** Runs before migrations (PostgreSQL: create the schema the connection lives in). */
  beforeMigrate?: (db: Kysely<Database>) => Promise<void>;
  /** Where the migration bookkeeping lives; set when several schemas share one database. */
  migrationSchema?: string;
  /** Cross-process wake-ups (PostgreSQL LISTEN/NOTIFY); absent where one process is all there is. */
  notifier?: () => StoreNotifier;
  /** Live updates to browsers across processes (PostgreSQL LISTEN/NOTIFY); absent: one process. */
  liveBus?: () => LiveBus;
}

export interface StoreNotifier {
  notify(): void;
  listen(onWake: () => void): Promise<void>;
  close(): Promise<void>;
}

type Db = Kysely<Database> | Transaction<Database>;

/** The store's reads, usable on the root connection and inside a transaction alike. */
class Reads {
  constructor(
    protected readonly db: Db,
    protected readonly caps: Capabilities,
  ) {}

  async getAccount(id: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && rows.toAccount(row);
  }

  async accountIdForKey(keyHash: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('api_keys').select('account_id').where('key_hash', '=', keyHash).executeTakeFirst();
    return row?.account_id;
  }

  async listAccounts(): Promise<Account[]> {
    return (await this.db.selectFrom('accounts').selectAll().orderBy('id').execute()).map(rows.toAccount);
  }

  async getChannel(accountId: string, id: string): Promise<Channel | undefined> {
    const row = await this.db.selectFrom('channels').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row && rows.toChannel(row);
  }

  async listChannels(accountId: string): Promise<Channel[]> {
    return (await this.db.selectFrom('channels').selectAll().where('account_id', '=', accountId).orderBy('id').execute()).map(rows.toChannel);
  }

  async getComponent(accountId: string, id: string): Promise<Component | undefined> {
    const row = await this.db.selectFrom('components').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row && rows.toComponent(row);
  }

  async listComponents(accountId: string): Promise<Component[]> {
    return (await this.db.selectFrom('components').selectAll().where('account_id', '=', accountId).orderBy('id').execute()).map(rows.toComponent);
  }

  async listServices(accountId: string): Promise<Service[]> {
    return (await this.db.selectFrom('services').selectAll().where('account_id', '=', accountId).orderBy('position').execute()).map(rows.toService);
  }

  async getAgent(accountId: string, id: string): Promise<Agent | undefined> {
    const row = await this.db.selectFrom('agents').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row && rows.toAgent(row);
  }

  async listAgents(accountId: string): Promise<Agent[]> {
    return (await this.db.selectFrom('agents').selectAll().where('account_id', '=', accountId).orderBy('id').execute()).map(rows.toAgent);
  }

  async countAvailableAgents(accountId: string, team: string | null, category: string | null): Promise<number> {
    // Online agents of one account are few; the (account_id, presence) index finds them and the
    // team/category filter runs over that handful.
    const online = (await this.db.selectFrom('agents').selectAll().where('account_id', '=', accountId).where('presence', '=', 'online').execute()).map(rows.toAgent);
    return online.filter((a) => (team === null || a.teams.includes(team)) && (category === null || a.categories.length === 0 || a.categories.includes(category))).length;
  }

  async getConversation(accountId: string, id: string): Promise<Conversation | undefined> {
    const row = await this.db.selectFrom('conversations').select('state').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row && rows.toConversation(row.state);
  }

  async listConversations(accountId: string, f: ConversationFilter): Promise<{ items: Conversation[]; next: string | null }> {
    let q = this.db.selectFrom('conversations').select(['state', 'updated_at', 'id']).where('account_id', '=', accountId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.team) q = q.where('team', '=', f.team);
    if (f.controller) q = q.where('controller', '=', f.controller);
    if (f.after) {
      const [at, id] = decodeCursor(f.after);
      q = q.where((eb) => eb.or([eb('updated_at', '<', at), eb.and([eb('updated_at', '=', at), eb('id', '<', id)])]));
    }
    const found = await q.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1).execute();
    const page = found.slice(0, f.limit);
    const last = page[page.length - 1];
    return { items: page.map((r) => rows.toConversation(r.state)), next: found.length > f.limit && last ? encodeCursor(last.updated_at, last.id) : null };
  }

  async listOpenConversationIds(accountId: string, afterId: string | null, limit: number): Promise<string[]> {
    let q = this.db.selectFrom('conversations').select('id').where('account_id', '=', accountId).where('status', '=', 'open');
    if (afterId) q = q.where('id', '>', afterId);
    return (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
  }

  async findConversationByBotSession(accountId: string, botSessionId: string): Promise<Conversation | undefined> {
    const row = await this.db.selectFrom('bot_sessions').select('conversation_id').where('account_id', '=', accountId).where('id', '=', botSessionId).executeTakeFirst();
    return row && this.getConversation(accountId, row.conversation_id);
  }

  async findConversationByWorkItem(accountId: string, workItemId: string): Promise<Conversation | undefined> {
    const row = await this.db.selectFrom('work_items').select('conversation_id').where('account_id', '=', accountId).where('id', '=', workItemId).executeTakeFirst();
    return row && this.getConversation(accountId, row.conversation_id);
  }

  async findConversationByAgentSession(accountId: string, agentSessionId: string): Promise<Conversation | undefined> {
    const row = await this.db.selectFrom('agent_sessions').select('conversation_id').where('account_id', '=', accountId).where('id', '=', agentSessionId).executeTakeFirst();
    return row && this.getConversation(accountId, row.conversation_id);
  }

  async listEvents(accountId: string, conversationId: string, afterSeq: number, limit: number): Promise<ConversationEvent[]> {
    const found = await this.db.selectFrom('events').selectAll().where('account_id', '=', accountId).where('conversation_id', '=', conversationId).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
    return found.map(rows.toEvent);
  }

  async getEvent(accountId: string, conversationId: string, seq: number): Promise<ConversationEvent | undefined> {
    const row = await this.db.selectFrom('events').selectAll().where('account_id', '=', accountId).where('conversation_id', '=', conversationId).where('seq', '=', seq).executeTakeFirst();
    return row && rows.toEvent(row);
  }

  async getMessage(accountId: string, id: string): Promise<Message | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    return row && rows.toMessage(row);
  }

  async listMessages(accountId: string, conversationId: string, limit: number): Promise<Message[]> {
    const found = await this.db.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('conversation_id', '=', conversationId).orderBy('created_at').orderBy('id').limit(limit).execute();
    return found.map(rows.toMessage);
  }

  async findMessageByChannelMessageId(accountId: string, channelId: string, channelMessageId: string): Promise<Message | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('channel_id', '=', channelId).where('channel_message_id', '=', channelMessageId).executeTakeFirst();
    return row && rows.toMessage(row);
  }

  async getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db.selectFrom('idempotency_keys').selectAll().where('account_id', '=', accountId).where('key', '=', key).executeTakeFirst();
    return row && { fingerprint: row.fingerprint, result: JSON.parse(row.result), createdAt: row.created_at };
  }

  async dueTimers(now: string, limit: number): Promise<Timer[]> {
    const found = await this.db.selectFrom('timers').selectAll().where('due_at', '<=', now).orderBy('due_at').limit(limit).execute();
    return found.map((r) => ({ id: r.id, accountId: r.account_id, conversationId: r.conversation_id, kind: r.kind as Timer['kind'], ref: r.ref, dueAt: r.due_at }));
  }

  async findInboundToken(tokenHash: string): Promise<InboundToken | undefined> {
    const row = await this.db.selectFrom('inbound_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return row && { accountId: row.account_id, ownerKind: row.owner_kind as InboundToken['ownerKind'], ownerId: row.owner_id };
  }

  async agentPasswordHash(accountId: string, agentId: string): Promise<string | null> {
    const row = await this.db.selectFrom('agents').select('password_hash').where('account_id', '=', accountId).where('id', '=', agentId).executeTakeFirst();
    return row?.password_hash ?? null;
  }
}

class TxOps extends Reads implements StoreTx {
  constructor(
    private readonly trx: Transaction<Database>,
    caps: Capabilities,
  ) {
    super(trx, caps);
  }

  async lockConversation(accountId: string, id: string): Promise<Conversation | undefined> {
    let q = this.trx.selectFrom('conversations').select('state').where('account_id', '=', accountId).where('id', '=', id);
    if (this.caps.rowLocks) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row && rows.toConversation(row.state);
  }

  async insertConversation(conv: Conversation): Promise<boolean> {
    const res = await this.trx.insertInto('conversations').values(rows.fromConversation(conv)).onConflict((oc) => oc.columns(['account_id', 'id']).doNothing()).executeTakeFirst();
    const inserted = Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
    if (inserted) await this.writeSessions(conv);
    return inserted;
  }

  async updateConversation(conv: Conversation, previous?: Conversation): Promise<void> {
    const { account_id, id, ...rest } = rows.fromConversation(conv);
    await this.trx.updateTable('conversations').set(rest).where('account_id', '=', account_id).where('id', '=', id).execute();
    await this.writeSessions(conv, previous);
  }

  /** Session index rows are written when a session id is new, not on every message. */
  private async writeSessions(conv: Conversation, previous?: Conversation): Promise<void> {
    if (conv.botSession && conv.botSession.id !== previous?.botSession?.id) {
      await this.trx.insertInto('bot_sessions').values({ account_id: conv.accountId, id: conv.botSession.id, conversation_id: conv.id, opened_at: conv.botSession.openedAt }).onConflict((oc) => oc.columns(['account_id', 'id']).doNothing()).execute();
    }
    if (conv.workItem && conv.workItem.id !== previous?.workItem?.id) {
      await this.trx.insertInto('work_items').values({ account_id: conv.accountId, id: conv.workItem.id, conversation_id: conv.id, opened_at: conv.workItem.openedAt }).onConflict((oc) => oc.columns(['account_id', 'id']).doNothing()).execute();
    }
    if (conv.agentSession && conv.agentSession.id !== previous?.agentSession?.id) {
      await this.trx.insertInto('agent_sessions').values({ account_id: conv.accountId, id: conv.agentSession.id, conversation_id: conv.id, opened_at: conv.agentSession.openedAt }).onConflict((oc) => oc.columns(['account_id', 'id']).doNothing()).execute();
    }
  }

  async appendEvents(events: ConversationEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.trx.insertInto('events').values(events.map(rows.fromEvent)).execute();
  }

  async insertMessageOnce(message: Message, channelId: string): Promise<boolean> {
    const res = await this.trx.insertInto('messages').values(rows.fromMessage(message, channelId)).onConflict((oc) => oc.columns(['account_id', 'channel_id', 'channel_message_id']).doNothing()).executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async insertMessage(message: Message, channelId: string): Promise<void> {
    await this.trx.insertInto('messages').values(rows.fromMessage(message, channelId)).execute();
  }

  async insertDeliveries(drafts: DeliveryDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    await this.trx.insertInto('deliveries').values(drafts.map(rows.fromDelivery)).execute();
    // Wake each recipient's cursor for this conversation. An idle cursor takes the first new
    // delivery as its head; a busy, blocked or parked one keeps its place in the sequence.
    const heads = new Map<string, DeliveryDraft>();
    for (const d of drafts) {
      const key = `${d.target.kind}\u0000${d.target.id}`;
      const prev = heads.get(key);
      if (!prev || d.seq < prev.seq) heads.set(key, d);
    }
    for (const d of heads.values()) {
      await this.trx.insertInto('delivery_cursors')
        .values({ account_id: d.accountId, target_kind: d.target.kind, target_id: d.target.id, conversation_id: d.conversationId, state: 'ready', head_seq: d.seq, due_at: d.createdAt, claim_id: null, parked_reason: null })
        .onConflict((oc) => oc.columns(['account_id', 'target_kind', 'target_id', 'conversation_id']).doUpdateSet((eb) => ({
          head_seq: eb.fn.coalesce('delivery_cursors.head_seq', eb.ref('excluded.head_seq')),
          due_at: eb.case().when('delivery_cursors.state', '=', 'idle').then(eb.ref('excluded.due_at')).else(eb.ref('delivery_cursors.due_at')).end(),
          state: eb.case().when('delivery_cursors.state', '=', 'idle').then('ready').else(eb.ref('delivery_cursors.state')).end(),
        })))
        .execute();
    }
  }

  async putIdempotency(accountId: string, key: string, record: IdempotencyRecord): Promise<void> {
    await this.trx.insertInto('idempotency_keys').values({ account_id: accountId, key, fingerprint: record.fingerprint, result: JSON.stringify(record.result), created_at: record.createdAt }).execute();
  }

  async putTimer(t: Timer): Promise<void> {
    await this.trx.insertInto('timers').values({ id: t.id, account_id: t.accountId, conversation_id: t.conversationId, kind: t.kind, ref: t.ref, due_at: t.dueAt }).execute();
  }

  async deleteTimer(id: string): Promise<void> {
    await this.trx.deleteFrom('timers').where('id', '=', id).execute();
  }

  async setAccountEmergency(accountId: string, on: boolean): Promise<void> {
    await this.trx.updateTable('accounts').set({ emergency: on ? 1 : 0 }).where('id', '=', accountId).execute();
  }

  async setAgentPresence(accountId: string, agentId: string, presence: Agent['presence']): Promise<void> {
    await this.trx.updateTable('agents').set({ presence }).where('account_id', '=', accountId).where('id', '=', agentId).execute();
  }

  async upsertAccount(account: Account, keyHashes: string[]): Promise<void> {
    const row = rows.fromAccount(account);
    // The emergency switch is operated at run time, so applying the configuration again keeps it.
    await this.trx.insertInto('accounts').values(row).onConflict((oc) => oc.column('id').doUpdateSet({ name: row.name, settings: row.settings, updated_at: row.updated_at })).execute();
    await this.trx.deleteFrom('api_keys').where('account_id', '=', account.id).execute();
    if (keyHashes.length > 0) await this.trx.insertInto('api_keys').values(keyHashes.map((h) => ({ key_hash: h, account_id: account.id }))).execute();
  }

  async upsertChannel(channel: Channel): Promise<void> {
    const row = { ...rows.fromChannel(channel), configured_active: channel.active ? 1 : 0 };
    // The run-time switch outlives re-applying the same file; a file whose `active` changed wins.
    // `channels.` is the stored row and `excluded.` the new one on both engines.
    const active = sql<number>`case when channels.configured_active is null or channels.configured_active <> excluded.configured_active then excluded.active else channels.active end`;
    await this.trx.insertInto('channels').values(row).onConflict((oc) => oc.columns(['account_id', 'id']).doUpdateSet({ kind: row.kind, active, configured_active: row.configured_active, settings: row.settings })).execute();
  }

  async setChannelActive(accountId: string, channelId: string, active: boolean): Promise<boolean> {
    const res = await this.trx.updateTable('channels').set({ active: active ? 1 : 0 }).where('account_id', '=', accountId).where('id', '=', channelId).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async setChannelEmergency(accountId: string, channelId: string, on: boolean): Promise<boolean> {
    const res = await this.trx.updateTable('channels').set({ emergency: on ? 1 : 0 }).where('account_id', '=', accountId).where('id', '=', channelId).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async recordChannelReachability(accountId: string, channelId: string, reachability: ChannelReachability): Promise<void> {
    await this.trx.updateTable('channels').set({ reachability_warning: reachability.warning, reachability_checked_at: reachability.checkedAt }).where('account_id', '=', accountId).where('id', '=', channelId).execute();
  }

  async upsertComponent(component: Component): Promise<void> {
    const row = rows.fromComponent(component);
    // Health belongs to the delivery machinery; configuration does not reset a broken circuit.
    await this.trx.insertInto('components').values(row).onConflict((oc) => oc.columns(['account_id', 'id']).doUpdateSet({ kind: row.kind, dialect: row.dialect, settings: row.settings })).execute();
  }

  async replaceServices(accountId: string, services: Service[]): Promise<void> {
    await this.trx.deleteFrom('services').where('account_id', '=', accountId).execute();
    if (services.length > 0) await this.trx.insertInto('services').values(services.map((s, i) => rows.fromService(s, i))).execute();
  }

  async replaceInboundTokens(accountId: string, tokens: { tokenHash: string; ownerKind: 'component' | 'channel'; ownerId: string }[]): Promise<void> {
    await this.trx.deleteFrom('inbound_tokens').where('account_id', '=', accountId).execute();
    if (tokens.length > 0) await this.trx.insertInto('inbound_tokens').values(tokens.map((t) => ({ token_hash: t.tokenHash, account_id: accountId, owner_kind: t.ownerKind, owner_id: t.ownerId }))).execute();
  }

  async upsertAgent(agent: Agent, passwordHash: string | null): Promise<void> {
    const row = rows.fromAgent(agent, passwordHash);
    await this.trx.insertInto('agents').values(row).onConflict((oc) => oc.columns(['account_id', 'id']).doUpdateSet({ teams: row.teams, categories: row.categories, settings: row.settings, password_hash: row.password_hash })).execute();
  }
}

/** One store over Kysely for both engines; the engine folders only build the Kysely instance. */
export class KyselyStore extends Reads implements Store {
  readonly engine: 'sqlite' | 'postgres';

  constructor(
    private readonly root: Kysely<Database>,
    caps: Capabilities,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    super(root, caps);
    this.engine = caps.engine;
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    try {
      return await this.root.transaction().execute((trx) => fn(new TxOps(trx, this.caps)));
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && this.caps.conflictCodes.includes(code)) throw new WriteConflict(err);
      throw err;
    }
  }

  private migrator(): Migrator {
    return new Migrator({ db: this.root, provider: migrationProvider, ...(this.caps.migrationSchema ? { migrationTableSchema: this.caps.migrationSchema } : {}) });
  }

  async migrate(): Promise<{ applied: string[] }> {
    await this.caps.beforeMigrate?.(this.root);
    const { error, results } = await this.migrator().migrateToLatest();
    if (error) throw error;
    return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  }

  async pendingMigrations(): Promise<string[]> {
    return (await this.migrator().getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.root);
  }

  /** The raw query layer, for the delivery machinery and admin views that live beside the core. */
  get kysely(): Kysely<Database> {
    return this.root;
  }

  get capabilities(): Capabilities {
    return this.caps;
  }

  async close(): Promise<void> {
    await this.root.destroy();
    await this.onClose();
  }
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === 'string')) return parsed as [string, string];
  } catch {
    // reported below
  }
  throw new BatonError('bad_request', 'The `after` cursor is not one Baton handed out; pass the `next` value of the previous page.');
}
