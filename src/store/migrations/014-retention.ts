import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The retention job finds old closed conversations by conversations_status_idx (account_id,
  // status, updated_at, id) and their deliveries and cursors by keys that lead with the recipient;
  // what else hangs off a conversation had no index by it, and would be found by a scan.
  for (const table of ['timers', 'bot_sessions', 'agent_sessions', 'work_items']) {
    await db.schema.createIndex(`${table}_conversation_idx`).on(table).columns(['account_id', 'conversation_id']).execute();
  }
  // Idempotency keys are pruned once their window has passed, oldest first.
  await db.schema.createIndex('idempotency_keys_age_idx').on('idempotency_keys').columns(['account_id', 'created_at']).execute();
  // The last run of the job per account, for `baton doctor`.
  await db.schema.createTable('retention_runs')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('deleted', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
