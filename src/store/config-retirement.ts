import type { Transaction } from 'kysely';
import type { ConfiguredIds, RetiredIds } from '../core/ports.js';
import type { Database } from './schema.js';

type Trx = Transaction<Database>;

/** Settings keys that hold credentials; a removed channel or component keeps none of them. */
const CREDENTIAL_KEYS = ['credentials', 'secrets', 'secretDigests'];

function withoutCredentials(settings: string): string {
  const parsed = JSON.parse(settings) as Record<string, unknown>;
  for (const k of CREDENTIAL_KEYS) if (k in parsed) parsed[k] = {};
  return JSON.stringify(parsed);
}

/**
 * Marks the account's channels, components and agents that the configuration no longer names as
 * removed, and clears the mark of those it names again. Removed rows stay for the record (their
 * conversations and audit entries point at them) but are not listed and can no longer sign in:
 * channels are switched off and, like components, lose their credentials; agents lose their
 * password and their inbox logins. Agents added on the inbox's admin page stay (they are not the
 * file's), except when the whole account goes.
 */
export async function retireUnlisted(trx: Trx, accountId: string, keep: ConfiguredIds, at: string, opts: { inboxAgentsToo?: boolean } = {}): Promise<RetiredIds> {
  const retired: RetiredIds = { channels: [], components: [], agents: [] };
  for (const table of ['channels', 'components'] as const) {
    const ids = table === 'channels' ? keep.channels : keep.components;
    if (ids.length > 0) await trx.updateTable(table).set({ removed_at: null }).where('account_id', '=', accountId).where('id', 'in', ids).execute();
    let q = trx.selectFrom(table).select(['id', 'settings']).where('account_id', '=', accountId).where('removed_at', 'is', null);
    if (ids.length > 0) q = q.where('id', 'not in', ids);
    for (const row of await q.execute()) {
      const base = trx.updateTable(table).where('account_id', '=', accountId).where('id', '=', row.id);
      if (table === 'channels') await base.set({ removed_at: at, settings: withoutCredentials(row.settings), active: 0, configured_active: null }).execute();
      else await base.set({ removed_at: at, settings: withoutCredentials(row.settings) }).execute();
      retired[table].push(row.id);
    }
  }
  if (keep.agents.length > 0) await trx.updateTable('agents').set({ removed_at: null }).where('account_id', '=', accountId).where('id', 'in', keep.agents).execute();
  let agents = trx.selectFrom('agents').select('id').where('account_id', '=', accountId).where('removed_at', 'is', null);
  if (keep.agents.length > 0) agents = agents.where('id', 'not in', keep.agents);
  // The inbox's own agents are not the file's to remove, unless the whole account goes.
  if (!opts.inboxAgentsToo) agents = agents.where('managed_by', '<>', 'inbox');
  retired.agents = (await agents.execute()).map((r) => r.id);
  if (retired.agents.length > 0) {
    await trx.updateTable('agents').set({ removed_at: at, password_hash: null, password_from: null, presence: 'offline' }).where('account_id', '=', accountId).where('id', 'in', retired.agents).execute();
    await endLogins(trx, accountId, retired.agents);
  }
  return retired;
}

/**
 * Removes every account the configuration does not name: no API key, no inbound token, no
 * login, and everything in it retired. Returns the ids of the accounts removed now.
 */
export async function retireAccountsExcept(trx: Trx, keep: string[], at: string): Promise<string[]> {
  if (keep.length > 0) await trx.updateTable('accounts').set({ removed_at: null }).where('id', 'in', keep).execute();
  let q = trx.selectFrom('accounts').select('id').where('removed_at', 'is', null);
  if (keep.length > 0) q = q.where('id', 'not in', keep);
  const gone = (await q.execute()).map((r) => r.id);
  for (const id of gone) {
    await trx.updateTable('accounts').set({ removed_at: at }).where('id', '=', id).execute();
    await trx.deleteFrom('api_keys').where('account_id', '=', id).execute();
    await trx.deleteFrom('inbound_tokens').where('account_id', '=', id).execute();
    await trx.deleteFrom('sessions').where('account_id', '=', id).execute();
    await retireUnlisted(trx, id, { channels: [], components: [], agents: [] }, at, { inboxAgentsToo: true });
  }
  return gone;
}

/** Ends the inbox logins of these agents (removed, or their password changed). */
export async function endLogins(trx: Trx, accountId: string, agentIds: string[]): Promise<void> {
  if (agentIds.length === 0) return;
  await trx.deleteFrom('sessions').where('account_id', '=', accountId).where('agent_id', 'in', agentIds).execute();
}
