import { sql } from 'kysely';
import type { TestServer } from './server.js';

const OWNED = ['messages', 'events', 'conversations', 'deliveries', 'delivery_cursors', 'delivery_attempts', 'idempotency_keys', 'sessions', 'work_items', 'timers', 'agent_sessions', 'bot_sessions', 'widget_looks', 'files'];

/**
 * Everything of one account that a request could change: its rows in every table a message, a
 * command or a login writes, each conversation's control state, and its run-time switches
 * (presence, channel activation and emergency, component health, the emergency handover), its
 * agents as the admin page leaves them, and its web chat looks.
 * Two snapshots are equal when nothing of the account changed. SQLite: `||` and group_concat.
 */
export async function accountSnapshot(s: TestServer, accountId: string): Promise<Record<string, unknown>> {
  const counts = OWNED.map((t) => sql`(select count(*) from ${sql.table(t)} where account_id = ${accountId}) as ${sql.ref(t)}`);
  const { rows } = await sql<Record<string, unknown>>`select ${sql.join(counts)},
    (select group_concat(id || ':' || status || ':' || controller || ':' || control_version || ':' || last_seq || ':' || updated_at || ':' || coalesce(team, ''), ',') from conversations where account_id = ${accountId}) as control,
    (select group_concat(id || '=' || presence, ',') from agents where account_id = ${accountId}) as presence,
    (select group_concat(id || '=' || managed_by || coalesce(password_hash, '') || coalesce(removed_at, '') || settings, ',') from agents where account_id = ${accountId}) as agent_rows,
    (select group_concat(channel_id || '=' || coalesce(color, '') || coalesce(greeting, '') || coalesce(position, ''), ',') from widget_looks where account_id = ${accountId}) as looks,
    (select group_concat(id || '=' || active || coalesce(emergency, 0) || coalesce(reachability_warning, ''), ',') from channels where account_id = ${accountId}) as channels,
    (select group_concat(id || '=' || health || coalesce(consecutive_failures, 0), ',') from components where account_id = ${accountId}) as components,
    (select group_concat(id || '=' || state || attempts, ',') from deliveries where account_id = ${accountId}) as delivery_states,
    (select emergency from accounts where id = ${accountId}) as emergency`.execute(s.baton.store.kysely);
  return rows[0]!;
}
