import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_account_idx').on('audit_log').columns(['account_id', 'at', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
