import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Who owns an agent: baton.yaml ('config') or the inbox's admin page ('inbox'). Applying the file
  // leaves the inbox's agents alone; one the file names is the file's from then on.
  await db.schema.alterTable('agents').addColumn('managed_by', 'text', (c) => c.notNull().defaultTo('config')).execute();
  // Where the password was set: 'config', 'inbox' (a reset on the admin page, kept while the file
  // gives the agent none), or null (no password: the agent cannot log in).
  await db.schema.alterTable('agents').addColumn('password_from', 'text').execute();
  const d = db as unknown as Kysely<{ agents: { password_hash: string | null; password_from: string | null } }>;
  await d.updateTable('agents').set({ password_from: 'config' }).where('password_hash', 'is not', null).execute();
  // The web chat's look as set on the admin page, one field at a time; a field baton.yaml sets wins.
  await db.schema.createTable('widget_looks')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('color', 'text')
    .addColumn('greeting', 'text')
    .addColumn('position', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('widget_looks_pk', ['account_id', 'channel_id'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
