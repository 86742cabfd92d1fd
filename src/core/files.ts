import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import { BatonError } from './errors.js';
import { ACCEPTED_FILE_TYPES, FILE_TYPES, type FileType, safeFileName, sniffFileType } from './file-types.js';
import type { Store } from './ports.js';

/** What an account takes without a `files:` block: 10 MB a file. */
export const DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024;
/** The most any configuration may allow: the whole file is held in memory while it is checked. */
export const FILE_SIZE_CAP = 100 * 1024 * 1024;

/** A stored file, without its bytes. The id is the capability to read it (README "Files"). */
export interface StoredFile {
  accountId: string;
  id: string;
  conversationId: string;
  uploader: { kind: 'customer' | 'agent'; id: string | null };
  name: string;
  contentType: FileType;
  size: number;
  sha256: string;
  createdAt: string;
}

export interface FileUpload {
  accountId: string;
  conversationId: string;
  uploader: StoredFile['uploader'];
  /** The name the client gave, unsafe until `safeFileName`. */
  name: string | null;
  /** The Content-Type the client claimed; checked against the bytes. */
  declaredType: string | undefined;
  bytes: Buffer;
}

/** Unguessable: 256 random bits, URL-safe. */
export function newFileId(): string {
  return randomBytes(32).toString('base64url');
}

/** Where a file is fetched, under the given origin. The name is only for people and saved files. */
export function filePath(file: Pick<StoredFile, 'accountId' | 'id' | 'name'>): string {
  return `/files/${encodeURIComponent(file.accountId)}/${file.id}/${encodeURIComponent(file.name)}`;
}

/**
 * The bytes of an upload checked: not empty, within the account's limit, of an accepted type by
 * their first bytes, and of the type claimed when one is claimed (a generic
 * `application/octet-stream` claims none). Throws the stable error that says which.
 */
export function checkUpload(upload: Pick<FileUpload, 'bytes' | 'declaredType' | 'name'>, maxBytes: number): { contentType: FileType; name: string } {
  if (upload.bytes.length === 0) throw new BatonError('validation_failed', 'The file is empty: send its bytes as the request body.');
  if (upload.bytes.length > maxBytes) throw tooLarge(maxBytes);
  const sniffed = sniffFileType(upload.bytes);
  const declared = upload.declaredType?.split(';')[0]?.trim().toLowerCase();
  if (!sniffed) throw new BatonError('file_type_refused', `This file is not one Baton accepts: send ${ACCEPTED_FILE_TYPES.join(', ')}.`, { accepted: ACCEPTED_FILE_TYPES });
  if (declared && declared !== 'application/octet-stream' && declared !== sniffed && !(declared === 'image/jpg' && sniffed === 'image/jpeg')) {
    throw new BatonError('file_type_refused', `The file says it is ${declared} but its contents are ${sniffed}.`, { accepted: ACCEPTED_FILE_TYPES, declared, found: sniffed });
  }
  return { contentType: sniffed, name: safeFileName(upload.name, sniffed) };
}

export function tooLarge(maxBytes: number): BatonError {
  return new BatonError('file_too_large', `The file is larger than ${formatBytes(maxBytes)}, the most this chat takes.`, { maxBytes });
}

/** "10 MB", "512 KB": a size the way people read it. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/** How files are served: images shown in the page, PDFs saved (a PDF viewer runs the file's scripts). */
export function isInline(type: FileType): boolean {
  return FILE_TYPES[type].inline;
}

/**
 * Files people send in their conversations, stored in the database with the conversation they
 * belong to; erasure and retention take them with it.
 *
 * @example const f = await files.put({ accountId, conversationId, uploader: { kind: 'agent', id: 'sam' }, name: 'a.png', declaredType: 'image/png', bytes });
 */
export class Files {
  constructor(private readonly store: Store, private readonly clock: Clock) {}

  /** The account's limit per file, in bytes. */
  async limitOf(accountId: string): Promise<number> {
    const account = await this.store.getAccount(accountId);
    if (!account) throw new BatonError('account_not_found', `No account ${accountId}.`);
    return account.files?.maxBytes ?? DEFAULT_FILE_MAX_BYTES;
  }

  async put(upload: FileUpload): Promise<StoredFile> {
    const checked = checkUpload(upload, await this.limitOf(upload.accountId));
    const file: StoredFile = {
      accountId: upload.accountId,
      id: newFileId(),
      conversationId: upload.conversationId,
      uploader: upload.uploader,
      name: checked.name,
      contentType: checked.contentType,
      size: upload.bytes.length,
      sha256: createHash('sha256').update(upload.bytes).digest('hex'),
      createdAt: this.clock.now().toISOString(),
    };
    await this.store.transaction((tx) => tx.insertFile(file, upload.bytes));
    return file;
  }

  /** Undoes a `put` whose message was refused: a refused request leaves nothing behind. */
  async remove(accountId: string, id: string): Promise<void> {
    await this.store.transaction((tx) => tx.deleteFile(accountId, id));
  }

  get(accountId: string, id: string): Promise<{ file: StoredFile; bytes: Buffer } | undefined> {
    return this.store.getFile(accountId, id);
  }
}
