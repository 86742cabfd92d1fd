import { join } from 'node:path';
import type { KyselyStore } from './kysely-store.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { type SqliteSync, openSqliteStore } from './sqlite/sqlite-store.js';

export interface StoreConfig {
  /** `postgres://...` for PostgreSQL; empty for the embedded SQLite file. */
  databaseUrl: string | null;
  dataDir: string;
  schema?: string;
  /** SQLite only: `full` syncs every commit to disk (BATON_SQLITE_SYNC); `normal` by default. */
  sqliteSync?: SqliteSync;
  /**
   * SQLite only: how long a write waits for another process's (5 s by default). A command-line
   * run beside a busy `baton start` waits longer rather than fail on a lock it would soon get.
   */
  sqliteBusyMs?: number;
}

export function openStore(cfg: StoreConfig): KyselyStore {
  if (cfg.databaseUrl && /^postgres(ql)?:\/\//.test(cfg.databaseUrl)) {
    return openPostgresStore({ url: cfg.databaseUrl, ...(cfg.schema ? { schema: cfg.schema } : {}) });
  }
  const opts = { ...(cfg.sqliteSync ? { sync: cfg.sqliteSync } : {}), ...(cfg.sqliteBusyMs ? { busyMs: cfg.sqliteBusyMs } : {}) };
  if (cfg.databaseUrl && cfg.databaseUrl.startsWith('sqlite:')) return openSqliteStore(cfg.databaseUrl.slice('sqlite:'.length), opts);
  return openSqliteStore(join(cfg.dataDir, 'baton.sqlite'), opts);
}
