import type { Kysely } from 'kysely';

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('emergency', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('api_keys')
    .addColumn('key_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('channels')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('settings', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('channels_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createTable('components')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dialect', 'text', (c) => c.notNull())
    .addColumn('health', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('components_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createTable('services')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('services_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createTable('agents')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('presence', 'text', (c) => c.notNull())
    .addColumn('teams', 'text', (c) => c.notNull())
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addPrimaryKeyConstraint('agents_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createIndex('agents_presence_idx').on('agents').columns(['account_id', 'presence']).execute();

  await db.schema.createTable('conversations')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('controller', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('control_version', 'integer', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('bot_session_id', 'text')
    .addColumn('agent_session_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversations_pk', ['account_id', 'id'])
    .execute();
  // One index per listing shape, each ending in (updated_at, id) so pages come off the index in order.
  await db.schema.createIndex('conversations_recent_idx').on('conversations').columns(['account_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('conversations_status_idx').on('conversations').columns(['account_id', 'status', 'updated_at', 'id']).execute();
  await db.schema.createIndex('conversations_controller_idx').on('conversations').columns(['account_id', 'controller', 'status', 'updated_at', 'id']).execute();
  await db.schema.createIndex('conversations_team_idx').on('conversations').columns(['account_id', 'team', 'status', 'updated_at', 'id']).execute();
  // Account-wide sweeps (the emergency switch) walk open conversations in id order, in batches.
  await db.schema.createIndex('conversations_open_sweep_idx').on('conversations').columns(['account_id', 'status', 'id']).execute();

  await db.schema.createTable('bot_sessions')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bot_sessions_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createTable('agent_sessions')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_sessions_pk', ['account_id', 'id'])
    .execute();

  await db.schema.createTable('events')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['account_id', 'conversation_id', 'seq'])
    .execute();

  await db.schema.createTable('messages')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('channel_message_id', 'text')
    .addColumn('author_kind', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('messages_pk', ['account_id', 'id'])
    .execute();
  // Idempotency of inbound messages: a channel's message id is accepted once.
  await db.schema.createIndex('messages_channel_message_idx').on('messages').columns(['account_id', 'channel_id', 'channel_message_id']).unique().execute();
  await db.schema.createIndex('messages_conversation_idx').on('messages').columns(['account_id', 'conversation_id', 'created_at', 'id']).execute();

  await db.schema.createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('target_kind', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('for_reply', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('deliveries_order_idx').on('deliveries').columns(['account_id', 'target_kind', 'target_id', 'conversation_id', 'seq']).execute();
  await db.schema.createIndex('deliveries_due_idx').on('deliveries').columns(['state', 'next_attempt_at']).execute();

  await db.schema.createTable('idempotency_keys')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'key'])
    .execute();

  await db.schema.createTable('timers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('timers_due_idx').on('timers').columns(['due_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
