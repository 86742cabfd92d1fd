import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // What a configuration no longer names is kept for the record (conversations and the audit log
  // point at it) but marked removed: it is not listed and holds no credential any more.
  for (const table of ['accounts', 'channels', 'components', 'agents']) {
    await db.schema.alterTable(table).addColumn('removed_at', 'text').execute();
  }
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
