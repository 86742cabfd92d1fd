import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One cursor per (recipient, conversation) keeps that pair's deliveries in sequence order.
  // `due_at` is when the cursor may be claimed next: the head's next attempt, or, while claimed,
  // the end of the lease, so an expired lease is found by the same index as due work.
  await db.schema.createTable('delivery_cursors')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('head_seq', 'integer')
    .addColumn('due_at', 'text')
    .addColumn('claim_id', 'text')
    .addColumn('parked_reason', 'text')
    .addPrimaryKeyConstraint('delivery_cursors_pk', ['account_id', 'target_kind', 'target_id', 'conversation_id'])
    .execute();
  await db.schema.createIndex('delivery_cursors_due_idx').on('delivery_cursors').columns(['due_at']).execute();
  await db.schema.createIndex('delivery_cursors_target_idx').on('delivery_cursors').columns(['account_id', 'target_kind', 'target_id', 'state']).execute();

  await db.schema.createTable('delivery_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('delivery_attempts_delivery_idx').on('delivery_attempts').columns(['delivery_id', 'attempt']).execute();

  await db.schema.alterTable('deliveries').addColumn('delivered_at', 'text').execute();
  await db.schema.createIndex('deliveries_target_state_idx').on('deliveries').columns(['account_id', 'target_kind', 'target_id', 'state', 'created_at']).execute();

  await db.schema.alterTable('components').addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('components').addColumn('last_error', 'text').execute();
  await db.schema.alterTable('components').addColumn('last_failure_at', 'text').execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
