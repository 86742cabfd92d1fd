import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A channel's message ids are unique within one chat, not across the channel: client servers
  // number each chat's messages from 1 (seed 004), and two web chat visitors may pick the same id.
  await db.schema.dropIndex('messages_channel_message_idx').execute();
  await db.schema.createIndex('messages_chat_message_idx').on('messages').columns(['account_id', 'channel_id', 'conversation_id', 'channel_message_id']).unique().execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
