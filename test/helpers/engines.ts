import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** The PostgreSQL server every test run uses; each store lives in a schema of its own. */
export const PG_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface EngineHandle {
  store: KyselyStore;
  /** Closes the store and removes its file or schema. */
  dispose: () => Promise<void>;
  /** Closes the store and keeps its file or schema, so a failed test leaves its evidence. */
  keep: () => Promise<string>;
  url: string;
  schema?: string;
}

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated store. */
  open(): Promise<EngineHandle>;
  /** A fresh store on which no migration has run yet. */
  openUnmigrated(): Promise<EngineHandle>;
}

let counter = 0;

export function freshSchemaName(): string {
  counter += 1;
  return `baton_t_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

async function migrated(handle: EngineHandle): Promise<EngineHandle> {
  await handle.store.migrate();
  return handle;
}

export const engines: TestEngine[] = [
  {
    name: 'sqlite',
    async openUnmigrated() {
      const dir = mkdtempSync(join(tmpdir(), 'baton-test-'));
      const file = join(dir, 'baton.sqlite');
      const store = openSqliteStore(file);
      return {
        store,
        url: `sqlite:${file}`,
        dispose: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); },
        keep: async () => { await store.close(); return file; },
      };
    },
    async open() {
      return migrated(await this.openUnmigrated());
    },
  },
  {
    name: 'postgres',
    async openUnmigrated() {
      const schema = freshSchemaName();
      const store = openPostgresStore({ url: PG_URL, schema });
      return {
        store,
        url: PG_URL,
        schema,
        dispose: async () => { await store.close(); await dropSchema(schema); },
        keep: async () => { await store.close(); return `schema ${schema}`; },
      };
    },
    async open() {
      return migrated(await this.openUnmigrated());
    },
  },
];

/**
 * For a describe block: a fresh, migrated store of `engine` before each test, gone after it; a
 * failed test keeps its file or schema for inspection. Call the returned function inside a test.
 */
export function freshStorePerTest(engine: TestEngine): () => EngineHandle {
  let handle: EngineHandle | undefined;
  beforeEach(async () => {
    handle = await engine.open();
  });
  afterEach(async (ctx) => {
    if (!handle) return;
    if (ctx.task.result?.state === 'fail') console.warn(`store kept for inspection: ${await handle.keep()}`);
    else await handle.dispose();
    handle = undefined;
  });
  return () => handle!;
}
