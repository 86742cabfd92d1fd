import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One digest table for every inbound credential (webhook, access, product and channel tokens):
  // the kind says what a token may open, so a webhook token never passes for an API access token.
  // Rows written before this are webhook and channel tokens; the next configuration apply (every
  // start) writes every row again with its kind.
  await db.schema.alterTable('inbound_tokens').addColumn('kind', 'text', (c) => c.notNull().defaultTo('webhook_token')).execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
