import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // An account-wide emergency switch moves every open conversation, in batches. Its progress is
  // kept here, so a sweep cut short by a crash resumes where it stopped when Baton starts again.
  await db.schema.createTable('emergency_sweeps')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('on', 'integer', (c) => c.notNull())
    .addColumn('after_id', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
