import { BatonError } from './errors.js';

/**
 * The engines' words for "out of space": SQLite's SQLITE_FULL (better-sqlite3's `code`) and
 * PostgreSQL's SQLSTATE 53100 disk_full. Either way the statement or the commit was refused
 * whole: nothing of the transaction was kept, so the caller may safely try again later.
 */
const DISK_FULL_CODES: ReadonlySet<string> = new Set(['SQLITE_FULL', '53100']);

/** How long a client is asked to wait: long enough for an operator's alert, short enough to recover by itself. */
export const DISK_FULL_RETRY_AFTER_SECONDS = 10;

/** True when `err`, or an error it wraps, is the engine saying its disk is full. */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BatonError && e.code === 'store_full') return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && DISK_FULL_CODES.has(code)) return true;
  }
  return false;
}

export function diskFullError(cause: unknown): BatonError {
  const err = new BatonError('store_full', `The store is out of disk space; nothing of this request was stored. Retry in ${DISK_FULL_RETRY_AFTER_SECONDS} s.`, { retryAfterSeconds: DISK_FULL_RETRY_AFTER_SECONDS });
  (err as { cause?: unknown }).cause = cause;
  return err;
}
