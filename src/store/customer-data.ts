import type { Kysely, Transaction } from 'kysely';
import type { Conversation } from '../core/conversation.js';
import { ERASED_TEXT, type ErasableRecord, erasedContent, erasedEventData, erasedRecord } from '../core/erasure.js';
import type { Message, MessageContent } from '../core/model.js';
import { deleteConversationFiles } from './files.js';
import * as rows from './rows.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Rows changed per statement at most (`in (...)` lists stay well under both engines' parameter limits). */
const CHUNK = 500;

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** Oldest first; found by the (account_id, customer) index of migration 013. */
export async function listCustomerConversations(db: Db, accountId: string, customer: string, channelId: string | null): Promise<Conversation[]> {
  let q = db.selectFrom('conversations').select('state').where('account_id', '=', accountId).where('customer', '=', customer);
  if (channelId !== null) q = q.where('channel_id', '=', channelId);
  const found = (await q.execute()).map((r) => rows.toConversation(r.state));
  return found.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
}

export async function listMessagesAfter(db: Db, accountId: string, conversationId: string, after: { createdAt: string; id: string } | null, limit: number): Promise<Message[]> {
  let q = db.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('conversation_id', '=', conversationId);
  if (after) q = q.where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]));
  return (await q.orderBy('created_at').orderBy('id').limit(limit).execute()).map(rows.toMessage);
}

/** See StoreTx.eraseConversationContent. */
export async function eraseConversationContent(trx: Transaction<Database>, accountId: string, conversationId: string, at: string): Promise<{ messages: number; events: number; deliveries: number; files: number }> {
  const messages = await eraseMessages(trx, accountId, conversationId, at);
  const events = await eraseEvents(trx, accountId, conversationId);
  const deliveries = await eraseDeliveries(trx, accountId, conversationId, at);
  await eraseIdempotentAnswers(trx, accountId, conversationId, at);
  // A file is what someone sent, whole: nothing of it is kept (its message keeps only its kind).
  const files = await deleteConversationFiles(trx, accountId, [conversationId]);
  return { messages, events, deliveries, files };
}

/** Messages keep their row and the kind of their content; one update per kind and chunk. */
async function eraseMessages(trx: Transaction<Database>, accountId: string, conversationId: string, at: string): Promise<number> {
  const found = await trx.selectFrom('messages').select(['id', 'content']).where('account_id', '=', accountId).where('conversation_id', '=', conversationId).where('erased_at', 'is', null).execute();
  const byContent = new Map<string, string[]>();
  for (const m of found) {
    const content = JSON.stringify(erasedContent(JSON.parse(m.content) as MessageContent));
    byContent.set(content, [...(byContent.get(content) ?? []), m.id]);
  }
  for (const [content, ids] of byContent) {
    for (const part of chunks(ids)) {
      await trx.updateTable('messages').set({ content, erased_at: at }).where('account_id', '=', accountId).where('id', 'in', part).execute();
    }
  }
  return found.length;
}

async function eraseEvents(trx: Transaction<Database>, accountId: string, conversationId: string): Promise<number> {
  const found = await trx.selectFrom('events').select(['seq', 'data']).where('account_id', '=', accountId).where('conversation_id', '=', conversationId).execute();
  let changed = 0;
  for (const e of found) {
    const data = JSON.parse(e.data) as Record<string, unknown>;
    const erased = JSON.stringify(erasedEventData(data));
    if (erased === JSON.stringify(data)) continue;
    await trx.updateTable('events').set({ data: erased }).where('account_id', '=', accountId).where('conversation_id', '=', conversationId).where('seq', '=', e.seq).execute();
    changed += 1;
  }
  return changed;
}

/**
 * Snapshots are erased like the rows they copy; error texts are replaced, since a recipient's
 * answer may quote what it was sent (a gateway refusing a message, a local renderer's exception).
 * The same text is taken out where the delivery machinery repeated it: the cursor's parked
 * reason, the component's last error, the channel's reachability warning (an identical text there
 * is replaced whoever it came from: it cannot be told apart).
 */
async function eraseDeliveries(trx: Transaction<Database>, accountId: string, conversationId: string, at: string): Promise<number> {
  const targets = await recipientsOf(trx, accountId);
  const errors = new Set<string>();
  let changed = 0;
  for (const target of targets) {
    // By the (account, target, conversation, seq) index: deliveries have no index by conversation alone.
    const found = await trx.selectFrom('deliveries').select(['id', 'payload', 'last_error']).where('account_id', '=', accountId).where('target_kind', '=', target.kind).where('target_id', '=', target.id).where('conversation_id', '=', conversationId).execute();
    if (found.length === 0) continue;
    for (const d of found) {
      const before = d.payload ? (JSON.parse(d.payload) as ErasableRecord) : null;
      const payload = before && JSON.stringify(erasedRecord(before, at));
      const payloadChanged = before !== null && payload !== JSON.stringify(before);
      const errorChanged = d.last_error !== null && d.last_error !== ERASED_TEXT;
      if (!payloadChanged && !errorChanged) continue;
      if (errorChanged) errors.add(d.last_error!);
      await trx.updateTable('deliveries').set({ ...(payloadChanged ? { payload } : {}), ...(errorChanged ? { last_error: ERASED_TEXT } : {}) }).where('id', '=', d.id).execute();
      changed += 1;
    }
    for (const part of chunks(found.map((d) => d.id))) {
      const failed = await trx.selectFrom('delivery_attempts').select('error').where('delivery_id', 'in', part).where('error', 'is not', null).where('error', '<>', ERASED_TEXT).execute();
      for (const a of failed) errors.add(a.error!);
      if (failed.length > 0) await trx.updateTable('delivery_attempts').set({ error: ERASED_TEXT }).where('delivery_id', 'in', part).where('error', 'is not', null).execute();
    }
    const cursor = await trx.selectFrom('delivery_cursors').select('parked_reason').where('account_id', '=', accountId).where('target_kind', '=', target.kind).where('target_id', '=', target.id).where('conversation_id', '=', conversationId).executeTakeFirst();
    const reason = cursor?.parked_reason ? /^(delivery \S+ failed: )(.*)$/s.exec(cursor.parked_reason) : null;
    if (reason && reason[2] !== ERASED_TEXT) {
      await trx.updateTable('delivery_cursors').set({ parked_reason: reason[1] + ERASED_TEXT }).where('account_id', '=', accountId).where('target_kind', '=', target.kind).where('target_id', '=', target.id).where('conversation_id', '=', conversationId).execute();
    }
  }
  await eraseRepeatedErrors(trx, accountId, [...errors]);
  return changed;
}

/** Every component and channel of the account, removed ones included: who may hold deliveries. */
async function recipientsOf(trx: Transaction<Database>, accountId: string): Promise<{ kind: 'component' | 'channel'; id: string }[]> {
  const components = await trx.selectFrom('components').select('id').where('account_id', '=', accountId).execute();
  const channels = await trx.selectFrom('channels').select('id').where('account_id', '=', accountId).execute();
  return [...components.map((c) => ({ kind: 'component' as const, id: c.id })), ...channels.map((c) => ({ kind: 'channel' as const, id: c.id }))];
}

async function eraseRepeatedErrors(trx: Transaction<Database>, accountId: string, errors: string[]): Promise<void> {
  if (errors.length === 0) return;
  for (const part of chunks(errors)) {
    await trx.updateTable('components').set({ last_error: ERASED_TEXT }).where('account_id', '=', accountId).where('last_error', 'in', part).execute();
  }
  const warned = await trx.selectFrom('channels').select(['id', 'reachability_warning']).where('account_id', '=', accountId).where('reachability_warning', 'is not', null).execute();
  for (const c of warned) {
    let warning = c.reachability_warning!;
    for (const e of errors) warning = warning.split(e).join(ERASED_TEXT);
    if (warning !== c.reachability_warning) await trx.updateTable('channels').set({ reachability_warning: warning }).where('account_id', '=', accountId).where('id', '=', c.id).execute();
  }
}

/**
 * A command's answer is kept under its Idempotency-Key to be given again on a retry, and holds the
 * conversation, its events and the message. Those rows have no index by conversation, so the
 * account's are searched for the conversation id: erasures are rare, idempotent calls many.
 */
async function eraseIdempotentAnswers(trx: Transaction<Database>, accountId: string, conversationId: string, at: string): Promise<void> {
  const found = await trx.selectFrom('idempotency_keys').select(['key', 'result']).where('account_id', '=', accountId).where('result', 'like', `%${conversationId}%`).execute();
  for (const r of found) {
    const result = JSON.parse(r.result) as ErasableRecord;
    if (result.conversation?.id !== conversationId) continue;
    const erased = JSON.stringify(erasedRecord(result, at));
    if (erased !== JSON.stringify(result)) await trx.updateTable('idempotency_keys').set({ result: erased }).where('account_id', '=', accountId).where('key', '=', r.key).execute();
  }
}
