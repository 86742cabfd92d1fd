import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // `active` becomes run-time state (POST /v1/channels/{id}/activation); `configured_active` is the
  // value the configuration last declared, so a re-applied file only wins when that value changed.
  await db.schema.alterTable('channels').addColumn('configured_active', 'integer').execute();
  // The last reachability check of the channel's server (Omnichannel "Can't reach channel").
  await db.schema.alterTable('channels').addColumn('reachability_warning', 'text').execute();
  await db.schema.alterTable('channels').addColumn('reachability_checked_at', 'text').execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
