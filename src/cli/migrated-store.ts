import type { RuntimeConfig } from '../app.js';
import type { KyselyStore } from '../store/kysely-store.js';
import { openStore } from '../store/open-store.js';

/** A command run beside a busy `baton start` on the same SQLite file waits this long for its writes. */
const CLI_BUSY_MS = 30_000;

/**
 * Runs a command on the configured store, closed afterwards, as `doctor` and the admin commands
 * do; a store with pending migrations is refused (exit 1) rather than changed by old code.
 */
export async function onMigratedStore(cfg: RuntimeConfig, run: (store: KyselyStore) => Promise<number>): Promise<number> {
  const store = openStore({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, ...(cfg.databaseSchema ? { schema: cfg.databaseSchema } : {}), ...(cfg.sqliteSync ? { sqliteSync: cfg.sqliteSync } : {}), sqliteBusyMs: CLI_BUSY_MS });
  try {
    const pending = await store.pendingMigrations();
    if (pending.length > 0) {
      console.error(`The store has ${pending.length} pending migration(s): run \`baton migrate\` first.`);
      return 1;
    }
    return await run(store);
  } finally {
    await store.close();
  }
}
