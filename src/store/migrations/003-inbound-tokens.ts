import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Dialect webhooks carry their credential in the URL (IMI's generated webhook URL, the
  // Omnichannel channel token). Only a digest is kept, and it is the key the request is found by.
  await db.schema.createTable('inbound_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbound_tokens_owner_idx').on('inbound_tokens').columns(['account_id', 'owner_kind', 'owner_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
