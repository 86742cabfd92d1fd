import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { until } from '../helpers/waiting.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function writeRows(file: string, checkpointMs?: number) {
  const store = openSqliteStore(file, checkpointMs === undefined ? {} : { checkpointMs });
  await store.migrate();
  const before = statSync(file).size;
  const text = 'x'.repeat(900);
  // About 400 pages: far below the writer's own threshold, so only the background checkpoint copies them.
  for (let i = 0; i < 20; i++) {
    await store.kysely.transaction().execute(async (trx) => {
      for (let j = 0; j < 40; j++) await sql`insert into retention_runs (account_id, started_at, finished_at, deleted) values (${`a${i}-${j}`}, ${text}, ${text}, ${'{}'})`.execute(trx);
    });
  }
  return { store, before };
}

describe('SQLite checkpoints', () => {
  it('copies committed pages into the database file from a thread of its own, not inside commits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-ckpt-'));
    dirs.push(dir);
    const file = join(dir, 'baton.sqlite');
    const { store, before } = await writeRows(file);
    const [row] = (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.kysely)).rows;
    expect(row?.wal_autocheckpoint).toBeGreaterThanOrEqual(10_000);
    await until('the database file to grow by the checkpointed pages', () => statSync(file).size > before + 1_000_000);
    const [count] = (await sql<{ n: number }>`select count(*) as n from retention_runs`.execute(store.kysely)).rows;
    expect(count?.n).toBe(800);
    await store.close();
  });

  it('leaves checkpoints to the writer when switched off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-ckpt-'));
    dirs.push(dir);
    const file = join(dir, 'baton.sqlite');
    const { store, before } = await writeRows(file, 0);
    await new Promise((r) => setTimeout(r, 600));
    expect(statSync(file).size).toBe(before);
    await store.close();
  });
});
