import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { dropSchema, freshSchemaName, PG_URL } from '../helpers/engines.js';

// PostgreSQL only: the race is between schemas of one database.
describe('migrating a PostgreSQL schema while other schemas of the database are dropped', () => {
  const schemas: string[] = [];
  afterEach(async () => {
    await Promise.all(schemas.splice(0).map(dropSchema));
  });

  it('is not disturbed: Kysely\'s stock introspection, which reads every schema, failed here now and then', async () => {
    const churners = await Promise.all([0, 1, 2].map(async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      return c;
    }));
    let stop = false;
    let dropped = 0;
    // What parallel test files (and their cleanup) do all the time: make a schema with a table, drop it.
    const churning = churners.map(async (churn) => {
      while (!stop) {
        const s = freshSchemaName();
        await churn.query(`create schema "${s}"; create table "${s}".t (id serial primary key, v text)`);
        await churn.query(`drop schema "${s}" cascade`);
        dropped += 1;
      }
    });
    const migrateOne = async () => {
      const schema = freshSchemaName();
      schemas.push(schema);
      const store = openPostgresStore({ url: PG_URL, schema });
      try {
        const { applied } = await store.migrate();
        expect(applied.length).toBeGreaterThan(0);
        expect(await store.pendingMigrations()).toEqual([]);
      } finally {
        await store.close();
      }
    };
    try {
      for (let round = 0; round < 5; round++) await Promise.all([0, 1, 2, 3].map(migrateOne));
    } finally {
      stop = true;
      await Promise.all(churning);
      await Promise.all(churners.map((c) => c.end()));
    }
    expect(dropped).toBeGreaterThan(0);
  }, 60_000);
});
