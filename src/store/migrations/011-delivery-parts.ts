import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Some protocols need several requests for one message (Webim: the text, then its keyboard). A
  // retry resumes at the first part the recipient did not take, so nothing is shown twice.
  await db.schema.alterTable('deliveries').addColumn('parts_sent', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
