import { type Kysely, Migrator, sql } from 'kysely';
import { type Store, type StoreTx, WriteConflict } from '../core/ports.js';
import type { Capabilities } from './capabilities.js';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { KyselyReads } from './kysely-reads.js';
import { KyselyTx } from './kysely-writes.js';
import { diskFullError, isDiskFull } from '../core/disk-full.js';

export type { Capabilities, StoreNotifier } from './capabilities.js';

/** One store over Kysely for both engines; the engine folders only build the Kysely instance. */
export class KyselyStore extends KyselyReads implements Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Set when a commit failed for want of disk space, cleared by the next one that succeeds. */
  private diskFull = false;

  constructor(
    private readonly root: Kysely<Database>,
    caps: Capabilities,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    super(root, caps);
    this.engine = caps.engine;
  }

  async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    try {
      const value = await this.root.transaction().execute((trx) => fn(new KyselyTx(trx, this.caps)));
      this.diskFull = false;
      return value;
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      if (typeof code === 'string' && this.caps.conflictCodes.includes(code)) throw new WriteConflict(err);
      if (isDiskFull(err)) {
        this.diskFull = true;
        throw diskFullError(err);
      }
      throw err;
    }
  }

  /**
   * For `/readyz`: null while writes succeed, at no cost. After a commit failed for want of space,
   * a tiny write tells whether space has come back, so a process taken out of a load balancer's
   * rotation is put back without waiting for traffic it would not get.
   */
  async writeFault(): Promise<string | null> {
    if (!this.diskFull) return null;
    try {
      await this.caps.writeProbe(this.root);
      this.diskFull = false;
      return null;
    } catch (err) {
      if (isDiskFull(err)) return 'The store is out of disk space: writes fail, nothing new is accepted.';
      throw err;
    }
  }

  private migrator(): Migrator {
    return new Migrator({ db: this.root, provider: migrationProvider, ...(this.caps.migrationSchema ? { migrationTableSchema: this.caps.migrationSchema } : {}) });
  }

  async migrate(): Promise<{ applied: string[] }> {
    await this.caps.beforeMigrate?.(this.root);
    const { error, results } = await this.migrator().migrateToLatest();
    if (error) throw error;
    return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
  }

  async pendingMigrations(): Promise<string[]> {
    return (await this.migrator().getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.root);
  }

  /** The raw query layer, for the delivery machinery and admin views that live beside the core. */
  get kysely(): Kysely<Database> {
    return this.root;
  }

  async scrub(): Promise<void> {
    await this.caps.scrub?.(this.root);
  }

  get capabilities(): Capabilities {
    return this.caps;
  }

  async close(): Promise<void> {
    await this.root.destroy();
    await this.onClose();
  }
}
