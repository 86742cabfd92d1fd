import { type Kysely, type Transaction } from 'kysely';
import type { Conversation } from '../core/conversation.js';
import type { AuditEntry } from '../core/audit.js';
import { BatonError } from '../core/errors.js';
import type { ConversationEvent } from '../core/events.js';
import type { Account, Agent, Channel, Component, Message, Service } from '../core/model.js';
import { type AgentOwnership, type ConversationFilter, type EmergencySweep, type IdempotencyRecord, type InboundToken, type Timer } from '../core/ports.js';
import * as rows from './rows.js';
import { listCustomerConversations, listMessagesAfter } from './customer-data.js';
import { getFile, listConversationFiles } from './files.js';
import type { StoredFile } from '../core/files.js';
import { deskFigureReads } from './agent-session-facts.js';
import { agentOwnership, getWidgetLook } from './inbox-managed.js';
import type { WidgetLookFields } from '../core/widget-look.js';
import type { AgentTally, SessionTimes } from '../core/desk-figures.js';
import type { Capabilities } from './capabilities.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The store's reads, usable on the root connection and inside a transaction alike. */
export class KyselyReads {
  constructor(
    protected readonly db: Db,
    protected readonly caps: Capabilities,
  ) {}

  async getAccount(id: string): Promise<Account | undefined> {
    const { rows: [row] } = await this.caps.statements.run(this.db, 'accounts.get', { id }, (v) => this.db.selectFrom('accounts').selectAll().where('id', '=', v('id')));
    return row && rows.toAccount(row);
  }

  async accountIdForKey(keyHash: string): Promise<string | undefined> {
    const { rows: [row] } = await this.caps.statements.run(this.db, 'apiKeys.get', { keyHash }, (v) => this.db.selectFrom('api_keys').select('account_id').where('key_hash', '=', v('keyHash')));
    return row?.account_id;
  }

  async listAccounts(): Promise<Account[]> {
    return (await this.db.selectFrom('accounts').selectAll().where('removed_at', 'is', null).orderBy('id').execute()).map(rows.toAccount);
  }

  async getChannel(accountId: string, id: string): Promise<Channel | undefined> {
    const { rows: [row] } = await this.caps.statements.run(this.db, 'channels.get', { accountId, id }, (v) => this.db.selectFrom('channels').selectAll().where('account_id', '=', v('accountId')).where('id', '=', v('id')));
    return row && rows.toChannel(row);
  }

  async listChannels(accountId: string): Promise<Channel[]> {
    return (await this.db.selectFrom('channels').selectAll().where('account_id', '=', accountId).where('removed_at', 'is', null).orderBy('id').execute()).map(rows.toChannel);
  }

  async getComponent(accountId: string, id: string): Promise<Component | undefined> {
    const { rows: [row] } = await this.caps.statements.run(this.db, 'components.get', { accountId, id }, (v) => this.db.selectFrom('components').selectAll().where('account_id', '=', v('accountId')).where('id', '=', v('id')));
    return row && rows.toComponent(row);
  }

  async listComponents(accountId: string): Promise<Component[]> {
    return (await this.db.selectFrom('components').selectAll().where('account_id', '=', accountId).where('removed_at', 'is', null).orderBy('id').execute()).map(rows.toComponent);
  }

  async listServices(accountId: string): Promise<Service[]> {
    return (await this.db.selectFrom('services').selectAll().where('account_id', '=', accountId).orderBy('position').execute()).map(rows.toService);
  }

  async getAgent(accountId: string, id: string): Promise<Agent | undefined> {
    // An agent removed from the configuration is kept for the record but acts no more.
    const row = await this.db.selectFrom('agents').selectAll().where('account_id', '=', accountId).where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
    return row && rows.toAgent(row);
  }

  async listAgents(accountId: string): Promise<Agent[]> {
    return (await this.db.selectFrom('agents').selectAll().where('account_id', '=', accountId).where('removed_at', 'is', null).orderBy('id').execute()).map(rows.toAgent);
  }

  async countAvailableAgents(accountId: string, team: string | null, category: string | null, channelId: string | null = null): Promise<number> {
    // Online agents of one account are few; the (account_id, presence) index finds them and the
    // team/category filter runs over that handful.
    const online = (await this.db.selectFrom('agents').selectAll().where('account_id', '=', accountId).where('presence', '=', 'online').execute()).map(rows.toAgent);
    return online.filter((a) => (team === null || a.teams.includes(team)) && (category === null || a.categories.length === 0 || a.categories.includes(category)) && (channelId === null || a.sources === undefined || a.sources.includes(channelId))).length;
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

  async findConversationByNumber(accountId: string, number: number): Promise<Conversation | undefined> {
    const row = await this.db.selectFrom('conversations').select('state').where('account_id', '=', accountId).where('number', '=', number).orderBy('id').executeTakeFirst();
    return row && rows.toConversation(row.state);
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
    const { rows: [row] } = await this.caps.statements.run(this.db, 'messages.get', { accountId, id }, (v) => this.db.selectFrom('messages').selectAll().where('account_id', '=', v('accountId')).where('id', '=', v('id')));
    return row && rows.toMessage(row);
  }

  async listMessages(accountId: string, conversationId: string, limit: number): Promise<Message[]> {
    const found = await this.db.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('conversation_id', '=', conversationId).orderBy('created_at').orderBy('id').limit(limit).execute();
    return found.map(rows.toMessage);
  }

  async findMessageByChannelMessageId(accountId: string, channelId: string, conversationId: string, channelMessageId: string): Promise<Message | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('channel_id', '=', channelId).where('conversation_id', '=', conversationId).where('channel_message_id', '=', channelMessageId).executeTakeFirst();
    return row && rows.toMessage(row);
  }

  async getIdempotency(accountId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db.selectFrom('idempotency_keys').selectAll().where('account_id', '=', accountId).where('key', '=', key).executeTakeFirst();
    return row && { fingerprint: row.fingerprint, result: JSON.parse(row.result), createdAt: row.created_at };
  }

  async deliveryState(deliveryId: string): Promise<{ state: string; targetId: string; lastError: string | null } | undefined> {
    const row = await this.db.selectFrom('deliveries').select(['state', 'target_id', 'last_error']).where('id', '=', deliveryId).executeTakeFirst();
    return row && { state: row.state, targetId: row.target_id, lastError: row.last_error };
  }

  async listSweeps(): Promise<EmergencySweep[]> {
    const found = await this.db.selectFrom('emergency_sweeps').selectAll().orderBy('account_id').execute();
    return found.map(rows.toSweep);
  }

  async dueTimers(now: string, limit: number): Promise<Timer[]> {
    const found = await this.db.selectFrom('timers').selectAll().where('due_at', '<=', now).orderBy('due_at').limit(limit).execute();
    return found.map((r) => ({ id: r.id, accountId: r.account_id, conversationId: r.conversation_id, kind: r.kind as Timer['kind'], ref: r.ref, dueAt: r.due_at }));
  }

  async listAudit(accountId: string, opts: { before?: { at: string; id: string }; limit: number }): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll().where('account_id', '=', accountId);
    if (opts.before) {
      const { at, id } = opts.before;
      q = q.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]));
    }
    const found = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
    return found.map((r) => ({ id: r.id, accountId: r.account_id, at: r.at, actor: r.actor, action: r.action, subject: r.subject, details: JSON.parse(r.details) as Record<string, unknown> }));
  }

  async findInboundToken(tokenHash: string): Promise<InboundToken | undefined> {
    const { rows: [row] } = await this.caps.statements.run(this.db, 'inboundTokens.get', { tokenHash }, (v) => this.db.selectFrom('inbound_tokens').selectAll().where('token_hash', '=', v('tokenHash')));
    return row && { accountId: row.account_id, ownerKind: row.owner_kind as InboundToken['ownerKind'], ownerId: row.owner_id, kind: row.kind };
  }

  async listInboundTokens(accountId: string): Promise<(InboundToken & { tokenHash: string })[]> {
    const rows = await this.db.selectFrom('inbound_tokens').selectAll().where('account_id', '=', accountId).execute();
    return rows.map((row) => ({ tokenHash: row.token_hash, accountId: row.account_id, ownerKind: row.owner_kind as InboundToken['ownerKind'], ownerId: row.owner_id, kind: row.kind }));
  }

  async agentPasswordHash(accountId: string, agentId: string): Promise<string | null> {
    const row = await this.db.selectFrom('agents').select('password_hash').where('account_id', '=', accountId).where('id', '=', agentId).executeTakeFirst();
    return row?.password_hash ?? null;
  }

  agentOwnership(accountId: string): Promise<AgentOwnership[]> {
    return agentOwnership(this.db, accountId);
  }

  widgetLook(accountId: string, channelId: string): Promise<WidgetLookFields> {
    return getWidgetLook(this.db, accountId, channelId);
  }

  listCustomerConversations(accountId: string, customer: string, channelId: string | null): Promise<Conversation[]> {
    return listCustomerConversations(this.db, accountId, customer, channelId);
  }

  listMessagesAfter(accountId: string, conversationId: string, after: { createdAt: string; id: string } | null, limit: number): Promise<Message[]> {
    return listMessagesAfter(this.db, accountId, conversationId, after, limit);
  }

  getFile(accountId: string, id: string): Promise<{ file: StoredFile; bytes: Buffer } | undefined> {
    return getFile(this.db, accountId, id);
  }

  listConversationFiles(accountId: string, conversationId: string): Promise<StoredFile[]> {
    return listConversationFiles(this.db, accountId, conversationId);
  }

  countQueuedAhead(accountId: string, agentSessionId: string, cap: number): Promise<number | null> {
    return deskFigureReads(this.db).countQueuedAhead(accountId, agentSessionId, cap);
  }

  latestTaken(accountId: string, team: string | null, since: string, limit: number): Promise<SessionTimes[]> {
    return deskFigureReads(this.db).latestTaken(accountId, team, since, limit);
  }

  sessionsOpened(accountId: string, since: string, until: string, limit: number): Promise<{ sessions: SessionTimes[]; conversations: number }> {
    return deskFigureReads(this.db).sessionsOpened(accountId, since, until, limit);
  }

  agentTallies(accountId: string, since: string, until: string): Promise<AgentTally[]> {
    return deskFigureReads(this.db).agentTallies(accountId, since, until);
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
