import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Uploaded files live in the database, not on a disk beside one process, so every Baton sharing
  // a PostgreSQL serves them and backups hold them. Only PostgreSQL has transactional DDL, which is
  // how the one history tells its bytes type (bytea) from SQLite's (blob).
  const bytes = db.getExecutor().adapter.supportsTransactionalDdl ? 'bytea' : 'blob';
  await db.schema.createTable('files')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('uploader_kind', 'text', (c) => c.notNull())
    .addColumn('uploader_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', bytes, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('files_pk', ['account_id', 'id'])
    .execute();
  // Erasure, retention and exports find a conversation's files by it.
  await db.schema.createIndex('files_conversation_idx').on('files').columns(['account_id', 'conversation_id', 'created_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
