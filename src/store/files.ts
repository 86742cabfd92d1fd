import type { Kysely, Transaction } from 'kysely';
import type { FileType } from '../core/file-types.js';
import type { StoredFile } from '../core/files.js';
import type { Database, FilesTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

const COLUMNS = ['account_id', 'id', 'conversation_id', 'uploader_kind', 'uploader_id', 'name', 'content_type', 'size', 'sha256', 'created_at'] as const;

function toFile(r: Omit<FilesTable, 'bytes'>): StoredFile {
  return {
    accountId: r.account_id,
    id: r.id,
    conversationId: r.conversation_id,
    uploader: { kind: r.uploader_kind as StoredFile['uploader']['kind'], id: r.uploader_id },
    name: r.name,
    contentType: r.content_type as FileType,
    size: Number(r.size),
    sha256: r.sha256,
    createdAt: r.created_at,
  };
}

/** By the primary key (account_id, id): another account's id is not found. */
export async function getFile(db: Db, accountId: string, id: string): Promise<{ file: StoredFile; bytes: Buffer } | undefined> {
  const row = await db.selectFrom('files').select([...COLUMNS, 'bytes']).where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  // better-sqlite3 gives a Buffer, pg a Buffer too; a Uint8Array from elsewhere is wrapped, not copied.
  const bytes = Buffer.isBuffer(row.bytes) ? row.bytes : Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
  return { file: toFile(row), bytes };
}

/** By files_conversation_idx (account_id, conversation_id, created_at). */
export async function listConversationFiles(db: Db, accountId: string, conversationId: string): Promise<StoredFile[]> {
  const found = await db.selectFrom('files').select(COLUMNS).where('account_id', '=', accountId).where('conversation_id', '=', conversationId).orderBy('created_at').orderBy('id').execute();
  return found.map(toFile);
}

export async function insertFile(trx: Transaction<Database>, f: StoredFile, bytes: Buffer): Promise<void> {
  await trx.insertInto('files').values({
    account_id: f.accountId,
    id: f.id,
    conversation_id: f.conversationId,
    uploader_kind: f.uploader.kind,
    uploader_id: f.uploader.id,
    name: f.name,
    content_type: f.contentType,
    size: f.size,
    sha256: f.sha256,
    bytes,
    created_at: f.createdAt,
  }).execute();
}

export async function deleteFile(trx: Transaction<Database>, accountId: string, id: string): Promise<boolean> {
  const r = await trx.deleteFrom('files').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Every file of these conversations, by files_conversation_idx; the count deleted. */
export async function deleteConversationFiles(trx: Transaction<Database>, accountId: string, conversationIds: string[]): Promise<number> {
  if (conversationIds.length === 0) return 0;
  const r = await trx.deleteFrom('files').where('account_id', '=', accountId).where('conversation_id', 'in', conversationIds).executeTakeFirst();
  return Number(r.numDeletedRows);
}
