import { type Transaction, sql } from 'kysely';
import type { Conversation } from '../core/conversation.js';
import type { AuditEntry } from '../core/audit.js';
import type { ConversationEvent } from '../core/events.js';
import type { Account, Agent, Channel, ChannelReachability, Component, Message, Service } from '../core/model.js';
import { type CommandScope, type ConfiguredIds, type EmergencySweep, type DeliveryDraft, type IdempotencyRecord, type PasswordSource, type RetiredIds, type StoreTx, type Timer, type DeliveryLease } from '../core/ports.js';
import { endLogins, retireAccountsExcept, retireUnlisted } from './config-retirement.js';
import { eraseConversationContent } from './customer-data.js';
import { insertInboxAgent, putWidgetLook, removeInboxAgent, setInboxPassword, upsertConfigAgent } from './inbox-managed.js';
import type { WidgetLookFields } from '../core/widget-look.js';
import { deleteFile, insertFile } from './files.js';
import type { StoredFile } from '../core/files.js';
import { writeSessionFacts } from './agent-session-facts.js';
import * as rows from './rows.js';
import type { Capabilities } from './capabilities.js';
import type { AccountsTable, ChannelsTable, Database } from './schema.js';
import { KyselyReads } from './kysely-reads.js';
import { type Slot, rowSlots, rowValues } from './statement-book.js';

/** The store's writes, inside one transaction. */
export class KyselyTx extends KyselyReads implements StoreTx {
  constructor(
    private readonly trx: Transaction<Database>,
    caps: Capabilities,
  ) {
    super(trx, caps);
  }

  private get book() {
    return this.caps.statements;
  }

  /** A multi-row insert of rows that all have the same columns, compiled once per table and row count. */
  private async insertRows<T extends 'events' | 'messages' | 'deliveries'>(table: T, list: object[]): Promise<void> {
    await this.book.run(this.trx, `${table}.insert:${list.length}`, rowValues(list), (v) => this.trx.insertInto(table).values(list.map((r, i) => rowSlots(v, i, Object.keys(r))) as never));
  }

  async lockConversation(accountId: string, id: string): Promise<Conversation | undefined> {
    const { rows: [row] } = await this.book.run(this.trx, 'conversation.lock', { accountId, id }, (v) => {
      const q = this.trx.selectFrom('conversations').select('state').where('account_id', '=', v('accountId')).where('id', '=', v('id'));
      return this.caps.rowLocks ? q.forUpdate() : q;
    });
    return row && rows.toConversation(row.state);
  }

  async lockScope(accountId: string, id: string): Promise<CommandScope | undefined> {
    const { rows: [row] } = await this.book.run(this.trx, 'conversation.lockScope', { accountId, id }, (v) => {
      const q = this.trx.selectFrom('conversations as c')
        .innerJoin('accounts as a', 'a.id', 'c.account_id')
        .leftJoin('channels as ch', (j) => j.onRef('ch.account_id', '=', 'c.account_id').onRef('ch.id', '=', 'c.channel_id'))
        .select(['c.state', ...ACCOUNT_COLUMNS, ...CHANNEL_COLUMNS])
        .where('c.account_id', '=', v('accountId')).where('c.id', '=', v('id'));
      // Only the conversation is held: accounts and channels are read by every command.
      return this.caps.rowLocks ? q.forUpdate('c') : q;
    });
    if (!row) return undefined;
    return { account: rows.toAccount(accountOf(row)), conversation: rows.toConversation(row.state), channel: row.ch_id === null ? undefined : rows.toChannel(channelOf(row, accountId)) };
  }

  async getAccountChannel(accountId: string, channelId: string): Promise<{ account: Account; channel: Channel } | undefined> {
    const { rows: [row] } = await this.book.run(this.trx, 'channel.withAccount', { accountId, channelId }, (v) => this.trx.selectFrom('channels as ch')
      .innerJoin('accounts as a', 'a.id', 'ch.account_id')
      .select([...ACCOUNT_COLUMNS, ...CHANNEL_COLUMNS])
      .where('ch.account_id', '=', v('accountId')).where('ch.id', '=', v('channelId')));
    if (!row || row.ch_id === null) return undefined;
    return { account: rows.toAccount(accountOf(row)), channel: rows.toChannel(channelOf(row, accountId)) };
  }

  async insertConversation(conv: Conversation): Promise<boolean> {
    const res = await this.trx.insertInto('conversations').values(rows.fromConversation(conv)).onConflict((oc) => oc.columns(['account_id', 'id']).doNothing()).executeTakeFirst();
    const inserted = Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
    if (inserted) await this.writeSessions(conv);
    return inserted;
  }

  async updateConversation(conv: Conversation, previous?: Conversation): Promise<void> {
    await this.book.run(this.trx, 'conversation.update', rows.fromConversation(conv), (v) => this.trx.updateTable('conversations')
      .set(Object.fromEntries(CONVERSATION_STATE.map((c) => [c, v(c)])) as never)
      .where('account_id', '=', v('account_id')).where('id', '=', v('id')));
    await this.writeSessions(conv, previous);
  }

  /** Session index rows are written when a session id is new (or an agent session's milestones move), not on every message. */
  private async writeSessions(conv: Conversation, previous?: Conversation): Promise<void> {
    if (conv.botSession && conv.botSession.id !== previous?.botSession?.id) {
      await this.trx.insertInto('bot_sessions').values({ account_id: conv.accountId, id: conv.botSession.id, conversation_id: conv.id, opened_at: conv.botSession.openedAt }).onConflict((oc) => oc.columns(['account_id', 'id']).doNothing()).execute();
    }
    if (conv.workItem && conv.workItem.id !== previous?.workItem?.id) {
      await this.trx.insertInto('work_items').values({ account_id: conv.accountId, id: conv.workItem.id, conversation_id: conv.id, opened_at: conv.workItem.openedAt }).onConflict((oc) => oc.columns(['account_id', 'id']).doNothing()).execute();
    }
    // The agent session's row also keeps its milestones, for the queue and the report.
    await writeSessionFacts(this.trx, conv, previous);
  }

  async appendEvents(events: ConversationEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.insertRows('events', events.map(rows.fromEvent));
  }

  async insertMessageOnce(message: Message, channelId: string): Promise<boolean> {
    const row = rows.fromMessage(message, channelId);
    const res = await this.book.run(this.trx, 'messages.insertOnce', row, (v) => this.trx.insertInto('messages').values(rowOf(v, row)).onConflict((oc) => oc.columns(['account_id', 'channel_id', 'conversation_id', 'channel_message_id']).doNothing()));
    return Number(res.numAffectedRows ?? 0n) > 0;
  }

  async insertMessage(message: Message, channelId: string): Promise<void> {
    await this.insertRows('messages', [rows.fromMessage(message, channelId)]);
  }

  async insertDeliveries(drafts: DeliveryDraft[], lease: DeliveryLease | null = null): Promise<DeliveryDraft[]> {
    if (drafts.length === 0) return [];
    await this.insertRows('deliveries', drafts.map(rows.fromDelivery));
    // Wake each recipient's cursor for this conversation. An idle cursor takes the first new
    // delivery as its head (and, with a lease, is taken by the committing process at once); a
    // busy, blocked or parked one keeps its place in the sequence. The tail is the last seq written.
    const heads = new Map<string, { head: DeliveryDraft; tail: number }>();
    for (const d of drafts) {
      const key = `${d.conversationId}\u0000${d.target.kind}\u0000${d.target.id}`;
      const prev = heads.get(key);
      if (!prev) heads.set(key, { head: d, tail: d.seq });
      else heads.set(key, { head: d.seq < prev.head.seq ? d : prev.head, tail: Math.max(prev.tail, d.seq) });
    }
    // One statement for every cursor the command wakes; the answer says which ones the lease took.
    const woken = [...heads.values()].map(({ head: d, tail }) => ({ account_id: d.accountId, target_kind: d.target.kind, target_id: d.target.id, conversation_id: d.conversationId, head_seq: d.seq, tail_seq: tail, due_at: lease ? lease.until : d.createdAt, claim_id: lease?.claimId ?? null, urgent: d.urgent ? 1 : 0 }));
    const { rows: taken } = await this.book.run(this.trx, `delivery_cursors.wake:${woken.length}`, rowValues(woken), (v) => this.trx.insertInto('delivery_cursors')
      .values(woken.map((_, i) => ({ ...rowSlots(v, i, CURSOR_WAKE), state: 'ready', parked_reason: null })))
      .onConflict((oc) => oc.columns(['account_id', 'target_kind', 'target_id', 'conversation_id']).doUpdateSet((eb) => {
        const idle = eb('delivery_cursors.state', '=', 'idle');
        return {
          head_seq: eb.case().when(idle).then(eb.ref('excluded.head_seq')).else(eb.fn.coalesce('delivery_cursors.head_seq', eb.ref('excluded.head_seq'))).end(),
          tail_seq: eb.ref('excluded.tail_seq'),
          due_at: eb.case().when(idle).then(eb.ref('excluded.due_at')).else(eb.ref('delivery_cursors.due_at')).end(),
          claim_id: eb.case().when(idle).then(eb.ref('excluded.claim_id')).else(eb.ref('delivery_cursors.claim_id')).end(),
          urgent: eb.case().when(idle).then(eb.ref('excluded.urgent')).else(eb.ref('delivery_cursors.urgent')).end(),
          state: eb.case().when(idle).then('ready').else(eb.ref('delivery_cursors.state')).end(),
        };
      }))
      .returning(['conversation_id', 'target_kind', 'target_id', 'claim_id', 'head_seq']));
    if (!lease) return [];
    const leased: DeliveryDraft[] = [];
    for (const row of taken) {
      if (row.claim_id !== lease.claimId) continue;
      const got = heads.get(`${row.conversation_id}\u0000${row.target_kind}\u0000${row.target_id}`);
      if (got && Number(row.head_seq) === got.head.seq) leased.push(got.head);
    }
    return leased;
  }

  async putIdempotency(accountId: string, key: string, record: IdempotencyRecord): Promise<void> {
    await this.trx.insertInto('idempotency_keys').values({ account_id: accountId, key, fingerprint: record.fingerprint, result: JSON.stringify(record.result), created_at: record.createdAt }).execute();
  }

  async putTimer(t: Timer): Promise<void> {
    // A timer's id may be derived from what it is for: putting it twice keeps the first.
    await this.trx.insertInto('timers').values({ id: t.id, account_id: t.accountId, conversation_id: t.conversationId, kind: t.kind, ref: t.ref, due_at: t.dueAt }).onConflict((oc) => oc.column('id').doNothing()).execute();
  }

  async putSweep(w: EmergencySweep): Promise<void> {
    const row = rows.fromSweep(w);
    await this.trx.insertInto('emergency_sweeps').values(row).onConflict((oc) => oc.column('account_id').doUpdateSet({ on: row.on, after_id: row.after_id, started_at: row.started_at })).execute();
  }

  async endSweep(accountId: string, startedAt: string): Promise<void> {
    await this.trx.deleteFrom('emergency_sweeps').where('account_id', '=', accountId).where('started_at', '=', startedAt).execute();
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
    const res = await this.trx.updateTable('channels').set({ active: active ? 1 : 0, ...(active ? { reachability_warning: null } : {}) }).where('account_id', '=', accountId).where('id', '=', channelId).where('removed_at', 'is', null).executeTakeFirst();
    if (active && Number(res.numUpdatedRows) > 0) {
      // What was held while the channel was off (it answered 410) goes out again, in order, now:
      // the earliest instant is due whatever the clock says.
      await this.trx.updateTable('delivery_cursors').set({ state: 'ready', due_at: '1970-01-01T00:00:00.000Z', parked_reason: null })
        .where('account_id', '=', accountId).where('target_kind', '=', 'channel').where('target_id', '=', channelId).where('state', '=', 'parked').where('parked_reason', '=', 'inactive').execute();
    }
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

  async appendAudit(e: AuditEntry): Promise<void> {
    await this.trx.insertInto('audit_log').values({ id: e.id, account_id: e.accountId, at: e.at, actor: e.actor, action: e.action, subject: e.subject, details: JSON.stringify(e.details) }).execute();
  }

  async replaceInboundTokens(accountId: string, tokens: { tokenHash: string; ownerKind: 'component' | 'channel'; ownerId: string; kind?: string }[]): Promise<void> {
    await this.trx.deleteFrom('inbound_tokens').where('account_id', '=', accountId).execute();
    if (tokens.length > 0) await this.trx.insertInto('inbound_tokens').values(tokens.map((t) => ({ token_hash: t.tokenHash, account_id: accountId, owner_kind: t.ownerKind, owner_id: t.ownerId, kind: t.kind ?? 'webhook_token' }))).execute();
  }

  retireUnlisted(accountId: string, keep: ConfiguredIds, at: string): Promise<RetiredIds> {
    return retireUnlisted(this.trx, accountId, keep, at);
  }

  retireAccountsExcept(accountIds: string[], at: string): Promise<string[]> {
    return retireAccountsExcept(this.trx, accountIds, at);
  }

  endLogins(accountId: string, agentIds: string[]): Promise<void> {
    return endLogins(this.trx, accountId, agentIds);
  }

  upsertAgent(agent: Agent, passwordHash: string | null, passwordFrom: PasswordSource = 'config'): Promise<void> {
    return upsertConfigAgent(this.trx, agent, passwordHash, passwordFrom);
  }

  insertInboxAgent(agent: Agent, passwordHash: string): Promise<boolean> {
    return insertInboxAgent(this.trx, agent, passwordHash);
  }

  setInboxPassword(accountId: string, agentId: string, passwordHash: string): Promise<void> {
    return setInboxPassword(this.trx, accountId, agentId, passwordHash);
  }

  removeInboxAgent(accountId: string, agentId: string, at: string): Promise<void> {
    return removeInboxAgent(this.trx, accountId, agentId, at);
  }

  putWidgetLook(accountId: string, channelId: string, look: WidgetLookFields, at: string): Promise<void> {
    return putWidgetLook(this.trx, accountId, channelId, look, at);
  }

  eraseConversationContent(accountId: string, conversationId: string, at: string): Promise<{ messages: number; events: number; deliveries: number; files: number }> {
    return eraseConversationContent(this.trx, accountId, conversationId, at);
  }

  insertFile(file: StoredFile, bytes: Buffer): Promise<void> {
    return insertFile(this.trx, file, bytes);
  }

  deleteFile(accountId: string, id: string): Promise<boolean> {
    return deleteFile(this.trx, accountId, id);
  }
}

/** The account's and the channel's columns under names that do not collide in a join. */
const ACCOUNT_COLUMNS = ['a.id as a_id', 'a.name as a_name', 'a.emergency as a_emergency', 'a.settings as a_settings', 'a.updated_at as a_updated_at'] as const;
const CHANNEL_COLUMNS = ['ch.id as ch_id', 'ch.kind as ch_kind', 'ch.active as ch_active', 'ch.settings as ch_settings', 'ch.reachability_warning as ch_warning', 'ch.reachability_checked_at as ch_checked_at', 'ch.emergency as ch_emergency'] as const;

interface JoinedRow {
  a_id: string; a_name: string; a_emergency: number; a_settings: string; a_updated_at: string;
  ch_id: string | null; ch_kind: string | null; ch_active: number | null; ch_settings: string | null;
  ch_warning?: string | null; ch_checked_at?: string | null; ch_emergency?: number | null;
}

function accountOf(r: JoinedRow): AccountsTable {
  return { id: r.a_id, name: r.a_name, emergency: r.a_emergency, settings: r.a_settings, updated_at: r.a_updated_at };
}

function channelOf(r: JoinedRow, accountId: string): ChannelsTable {
  return { account_id: accountId, id: r.ch_id!, kind: r.ch_kind!, active: r.ch_active!, settings: r.ch_settings!, reachability_warning: r.ch_warning ?? null, reachability_checked_at: r.ch_checked_at ?? null, emergency: r.ch_emergency ?? 0 };
}

/** What an update of a conversation writes: every column but its key. */
const CONVERSATION_STATE = ['channel_id', 'status', 'controller', 'team', 'control_version', 'last_seq', 'bot_session_id', 'agent_session_id', 'updated_at', 'state'] as const;

/** The columns of a woken cursor that vary from row to row. */
const CURSOR_WAKE = ['account_id', 'target_kind', 'target_id', 'conversation_id', 'head_seq', 'tail_seq', 'due_at', 'claim_id', 'urgent'] as const;

/** Slots for one row, named by its columns. */
function rowOf(v: Slot, row: object): never {
  return Object.fromEntries(Object.keys(row).map((k) => [k, v(k)])) as never;
}
