import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // What a renderer needs, written with the delivery in the transaction that made the event, so
  // sending reads nothing else. Rows written before this migration have none and are rebuilt.
  await db.schema.alterTable('deliveries').addColumn('payload', 'text').execute();
  // The last sequence number written for the cursor: a delivery that finishes at the tail leaves
  // the cursor idle without looking for a next one.
  await db.schema.alterTable('delivery_cursors').addColumn('tail_seq', 'integer').execute();
  // 1 while the head is a message a person waits for: claimed before control events of other chats.
  await db.schema.alterTable('delivery_cursors').addColumn('urgent', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('delivery_cursors_urgent_due_idx').on('delivery_cursors').columns(['urgent', 'due_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
