import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** The PostgreSQL server every test run uses; each store lives in a schema of its own. */
export const PG_URL = process.env.BATON_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated store; `dispose` closes it and removes its file or schema. */
  open(): Promise<{ store: KyselyStore; dispose: () => Promise<void>; url: string; schema?: string }>;
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

export const engines: TestEngine[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'baton-test-'));
      const file = join(dir, 'baton.sqlite');
      const store = openSqliteStore(file);
      await store.migrate();
      return { store, url: `sqlite:${file}`, dispose: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'postgres',
    async open() {
      const schema = freshSchemaName();
      const store = openPostgresStore({ url: PG_URL, schema });
      await store.migrate();
      return { store, url: PG_URL, schema, dispose: async () => { await store.close(); await dropSchema(schema); } };
    },
  },
];
