import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Work items (an intervention a bot opens for statistics, seed 003) live in the conversation's
  // state; this index finds the conversation of any of them, current or earlier, by id.
  await db.schema.createTable('work_items')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('work_items_pk', ['account_id', 'id'])
    .execute();
  // A channel's emergency switch: run-time state, so a column that configuration applies leave alone.
  await db.schema.alterTable('channels').addColumn('emergency', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // The message a reply answers (Engage `in_reply_to_id`).
  await db.schema.alterTable('messages').addColumn('in_reply_to', 'text').execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
