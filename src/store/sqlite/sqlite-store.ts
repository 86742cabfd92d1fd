import { mkdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { KyselyStore } from '../kysely-store.js';
import { BACKSTOP_PAGES, startCheckpointer } from './checkpointer.js';
import { withStatementCache } from './statement-cache.js';
import { SqlCounters } from '../sql-counters.js';
import { StatementBook } from '../statement-book.js';
import type { Database } from '../schema.js';

/** Free space below which a store that hit a full disk is not called ready again. */
const PROBE_FREE_BYTES = 1024 * 1024;

/** How hard a commit waits for the disk (README "Storage"). */
export type SqliteSync = 'normal' | 'full';

/**
 * The embedded default: one SQLite file in WAL mode. One process writes; Kysely's single
 * connection serialises transactions, which is what makes the per-conversation sequence safe here.
 * `normal` syncs the log at checkpoints only: a power cut can lose the last commits, never
 * corrupt the file; `full` syncs at every commit.
 */
export function openSqliteStore(file: string, opts: { sync?: SqliteSync; busyMs?: number; checkpointMs?: number } = {}): KyselyStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new SqliteDatabase(file, { timeout: opts.busyMs ?? 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma(opts.sync === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
  db.pragma(`busy_timeout = ${Math.round(opts.busyMs ?? 5000)}`);
  db.pragma('foreign_keys = ON');
  // A larger page cache and memory-mapped reads keep hot index pages out of the read path.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  db.pragma('temp_store = MEMORY');
  // Checkpoints run beside the event loop, not inside commits (checkpointer.ts).
  const checkpointer = file !== ':memory:' && opts.checkpointMs !== 0 ? startCheckpointer(file, opts.checkpointMs, (m) => process.emitWarning(`SQLite background checkpoint failed: ${m}`)) : null;
  if (checkpointer) db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  // Erased and overwritten content is zeroed on disk, so an erasure leaves no copy in free space.
  db.pragma('secure_delete = ON');
  const counters = new SqlCounters();
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(db, counters) }) });
  return new KyselyStore(kysely, {
    engine: 'sqlite', sync: opts.sync ?? 'normal', counters, statements: new StatementBook(), rowLocks: false, writeConcurrency: 1, conflictCodes: ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'],
    // A one-page commit can fit in WAL space a failed commit left allocated while a real one does
    // not: first the filesystem must have room for a few commits. Then rewriting the header's
    // user_version (unused by Baton) with its own value is a commit that changes nothing.
    writeProbe: async (k) => {
      if (file !== ':memory:') {
        const fs = await statfs(dirname(file));
        if (fs.bavail * fs.bsize < PROBE_FREE_BYTES) throw Object.assign(new Error(`${fs.bavail * fs.bsize} bytes free beside ${file}`), { code: 'SQLITE_FULL' });
      }
      const [row] = (await sql<{ user_version: number }>`pragma user_version`.execute(k)).rows;
      await sql.raw(`pragma user_version = ${Number(row?.user_version ?? 0)}`).execute(k);
    },
    // The WAL still holds the pages as they were before an erasure: copy it into the file and empty it.
    scrub: async (k) => void (await sql`pragma wal_checkpoint(TRUNCATE)`.execute(k)),
  }, async () => checkpointer?.stop());
}
