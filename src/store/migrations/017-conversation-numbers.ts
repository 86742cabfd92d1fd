import type { Kysely } from 'kysely';
import { conversationNumber } from '../../core/ids.js';

/** The columns this migration reads and fills, as they are at this point of the history. */
interface Backfill {
  conversations: { account_id: string; id: string; number: number | null };
}

const BATCH = 500;

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Protocols with integer ids (Chatwoot's conversation ids) name a conversation by a number
  // derived from its id (core/ids.ts conversationNumber); this finds the conversation again.
  await db.schema.alterTable('conversations').addColumn('number', 'bigint').execute();
  await db.schema.createIndex('conversations_number_idx').on('conversations').columns(['account_id', 'number']).execute();

  // Existing conversations get theirs in batches by key order, computed here as the writes do.
  const d = db as unknown as Kysely<Backfill>;
  let after: { account_id: string; id: string } | null = null;
  for (;;) {
    let q = d.selectFrom('conversations').select(['account_id', 'id']);
    if (after) {
      const a = after;
      q = q.where((eb) => eb.or([eb('account_id', '>', a.account_id), eb.and([eb('account_id', '=', a.account_id), eb('id', '>', a.id)])]));
    }
    const batch = await q.orderBy('account_id').orderBy('id').limit(BATCH).execute();
    for (const row of batch) {
      await d.updateTable('conversations').set({ number: conversationNumber(row.id) }).where('account_id', '=', row.account_id).where('id', '=', row.id).execute();
    }
    if (batch.length < BATCH) break;
    const last = batch[batch.length - 1]!;
    after = { account_id: last.account_id, id: last.id };
  }
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
