import type { Kysely, Transaction } from 'kysely';
import type { Agent } from '../core/model.js';
import type { AgentOwnership, PasswordSource } from '../core/ports.js';
import type { WidgetLookFields } from '../core/widget-look.js';
import { endLogins } from './config-retirement.js';
import * as rows from './rows.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;
type Trx = Transaction<Database>;

/** Who owns each of the account's agents (removed ones too), and where each password was set. */
export async function agentOwnership(db: Db, accountId: string): Promise<AgentOwnership[]> {
  const found = await db.selectFrom('agents').select(['id', 'managed_by', 'password_from', 'removed_at']).where('account_id', '=', accountId).orderBy('id').execute();
  return found.map((r) => ({ id: r.id, managedBy: r.managed_by === 'inbox' ? 'inbox' : 'config', passwordFrom: (r.password_from ?? null) as PasswordSource, removed: r.removed_at != null }));
}

/** An agent from baton.yaml: the file's from now on, whoever had it before. */
export async function upsertConfigAgent(trx: Trx, agent: Agent, passwordHash: string | null, passwordFrom: PasswordSource): Promise<void> {
  const row = { ...rows.fromAgent(agent, passwordHash), managed_by: 'config', password_from: passwordHash === null ? null : passwordFrom };
  await trx.insertInto('agents').values(row).onConflict((oc) => oc.columns(['account_id', 'id']).doUpdateSet({ teams: row.teams, categories: row.categories, settings: row.settings, password_hash: row.password_hash, managed_by: 'config', password_from: row.password_from })).execute();
}

/**
 * An agent added on the admin page; an id that was removed is used again, starting afresh. False
 * when the id is taken by an agent that is not removed (one added at the same moment included).
 */
export async function insertInboxAgent(trx: Trx, agent: Agent, passwordHash: string): Promise<boolean> {
  const row = { ...rows.fromAgent(agent, passwordHash), managed_by: 'inbox', password_from: 'inbox', removed_at: null };
  const res = await trx.insertInto('agents').values(row)
    .onConflict((oc) => oc.columns(['account_id', 'id']).doUpdateSet({ presence: 'offline', teams: row.teams, categories: row.categories, settings: row.settings, password_hash: passwordHash, managed_by: 'inbox', password_from: 'inbox', removed_at: null }).where('agents.removed_at', 'is not', null))
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** A password set on the admin page: every login the agent had ends. */
export async function setInboxPassword(trx: Trx, accountId: string, agentId: string, passwordHash: string): Promise<void> {
  await trx.updateTable('agents').set({ password_hash: passwordHash, password_from: 'inbox' }).where('account_id', '=', accountId).where('id', '=', agentId).execute();
  await endLogins(trx, accountId, [agentId]);
}

/** Removed like an agent the file stops naming: kept for the record, no password, no login. */
export async function removeInboxAgent(trx: Trx, accountId: string, agentId: string, at: string): Promise<void> {
  await trx.updateTable('agents').set({ removed_at: at, password_hash: null, password_from: null, presence: 'offline' }).where('account_id', '=', accountId).where('id', '=', agentId).where('managed_by', '=', 'inbox').execute();
  await endLogins(trx, accountId, [agentId]);
}

export async function getWidgetLook(db: Db, accountId: string, channelId: string): Promise<WidgetLookFields> {
  const r = await db.selectFrom('widget_looks').selectAll().where('account_id', '=', accountId).where('channel_id', '=', channelId).executeTakeFirst();
  if (!r) return {};
  return { ...(r.color !== null ? { color: r.color } : {}), ...(r.greeting !== null ? { greeting: r.greeting } : {}), ...(r.position !== null ? { position: r.position as NonNullable<WidgetLookFields['position']> } : {}) };
}

/** Replaces the admin page's look of one channel; a field left out is no longer set there. */
export async function putWidgetLook(trx: Trx, accountId: string, channelId: string, look: WidgetLookFields, at: string): Promise<void> {
  const row = { account_id: accountId, channel_id: channelId, color: look.color ?? null, greeting: look.greeting ?? null, position: look.position ?? null, updated_at: at };
  await trx.insertInto('widget_looks').values(row).onConflict((oc) => oc.columns(['account_id', 'channel_id']).doUpdateSet({ color: row.color, greeting: row.greeting, position: row.position, updated_at: at })).execute();
}
