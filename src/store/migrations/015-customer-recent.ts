import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The inbox lists a customer's conversations most recent first (its "past conversations"): with
  // only (account_id, customer), SQLite prefers the account's recency index and reads every
  // conversation of the account; this one answers from the customer's own rows, already in order.
  await db.schema.createIndex('conversations_customer_recent_idx').on('conversations').columns(['account_id', 'customer', 'updated_at', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
