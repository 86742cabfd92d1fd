import type { Kysely } from 'kysely';
import type { LiveBus } from '../live/live-bus.js';
import type { Database } from './schema.js';
import type { SqlCounters } from './sql-counters.js';
import type { StatementBook } from './statement-book.js';

/** What differs between engines, as flags rather than `if (engine === ...)` in the queries. */
export interface Capabilities {
  engine: 'sqlite' | 'postgres';
  /** Statements and commits run through this store, for `/metrics` and the benchmark. */
  counters: SqlCounters;
  /** The hot statements, compiled once per shape for this store's dialect. */
  statements: StatementBook;
  /** Row locks exist (PostgreSQL); without them the single writer serialises transactions. */
  rowLocks: boolean;
  /** Write transactions worth running at once: SQLite has one writer; PostgreSQL a pool of connections. */
  writeConcurrency: number;
  /** SQLite: how hard a commit waits for the disk (BATON_SQLITE_SYNC), for `baton doctor`. */
  sync?: 'normal' | 'full';
  /** Error codes that mean "another writer won a race". */
  conflictCodes: readonly string[];
  /** The smallest write that needs disk space, to tell whether a full disk has room again (`/readyz`). */
  writeProbe: (db: Kysely<Database>) => Promise<void>;
  /** Runs before migrations (PostgreSQL: create the schema the connection lives in). */
  beforeMigrate?: (db: Kysely<Database>) => Promise<void>;
  /** Where the migration bookkeeping lives; set when several schemas share one database. */
  migrationSchema?: string;
  /** Cross-process wake-ups (PostgreSQL LISTEN/NOTIFY); absent where one process is all there is. */
  notifier?: () => StoreNotifier;
  /** Live updates to browsers across processes (PostgreSQL LISTEN/NOTIFY); absent: one process. */
  liveBus?: () => LiveBus;
  /** After an erasure, takes erased bytes out of files the engine keeps beside the tables (SQLite: the WAL). */
  scrub?: (db: Kysely<Database>) => Promise<void>;
}

export interface StoreNotifier {
  notify(): void;
  listen(onWake: () => void): Promise<void>;
  close(): Promise<void>;
}
