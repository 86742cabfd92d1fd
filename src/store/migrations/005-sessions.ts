import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Inbox logins. The cookie carries a random id; only its digest is kept, so a copy of the
  // database holds no usable session. The CSRF token is per session and sent back in a header.
  await db.schema.createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_expiry_idx').on('sessions').columns(['expires_at']).execute();
  await db.schema.createIndex('sessions_agent_idx').on('sessions').columns(['account_id', 'agent_id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
