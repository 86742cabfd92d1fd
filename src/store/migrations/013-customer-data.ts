import type { Kysely } from 'kysely';

/** The columns this migration reads and fills, as they are at this point of the history. */
interface Backfill {
  conversations: { account_id: string; id: string; state: string; customer: string | null };
}

const BATCH = 500;

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Erasure and subject-access exports find a customer's conversations by the customer's address,
  // which until now lived only inside the state JSON.
  await db.schema.alterTable('conversations').addColumn('customer', 'text').execute();
  await db.schema.createIndex('conversations_customer_idx').on('conversations').columns(['account_id', 'customer']).execute();
  // When a message's content was erased; its row (id, author, times) stays for the record.
  await db.schema.alterTable('messages').addColumn('erased_at', 'text').execute();

  // Existing conversations get their customer from the state JSON, read and written in batches
  // by key order, so the same code serves both engines without their JSON functions.
  const d = db as unknown as Kysely<Backfill>;
  let after: { account_id: string; id: string } | null = null;
  for (;;) {
    let q = d.selectFrom('conversations').select(['account_id', 'id', 'state']);
    if (after) {
      const a = after;
      q = q.where((eb) => eb.or([eb('account_id', '>', a.account_id), eb.and([eb('account_id', '=', a.account_id), eb('id', '>', a.id)])]));
    }
    const batch = await q.orderBy('account_id').orderBy('id').limit(BATCH).execute();
    for (const row of batch) {
      const customer = (JSON.parse(row.state) as { customer?: unknown }).customer;
      if (typeof customer === 'string') await d.updateTable('conversations').set({ customer }).where('account_id', '=', row.account_id).where('id', '=', row.id).execute();
    }
    if (batch.length < BATCH) break;
    const last = batch[batch.length - 1]!;
    after = { account_id: last.account_id, id: last.id };
  }
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
