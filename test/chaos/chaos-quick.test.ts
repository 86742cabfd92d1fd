import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * The short form of `npm run chaos`, in every test run: the scenarios that do not disturb other
 * tests (the restart of the shared PostgreSQL does, so it runs only in `npm run chaos`; the
 * PostgreSQL SIGKILL runs on a server of its own).
 */
describe('chaos, short form', () => {
  it.each(['kill-sqlite', 'kill-postgres', 'pg-kill', 'retrying-client'])('%s: nothing lost, nothing reordered, no duplicate with a new id', (scenario) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'chaos/run.ts', '--quick', '--only', scenario, '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
    const line = run.stdout.split('\n').find((l) => l.startsWith('CHAOS_JSON '));
    expect(line, `${run.stdout}\n${run.stderr}`).toBeDefined();
    const rows = JSON.parse(line!.slice('CHAOS_JSON '.length)) as { sent: number; kills?: number; lost: number; reordered: number; duplicatedWithNewId: number; ok: boolean }[];
    for (const r of rows) {
      expect(r.sent).toBeGreaterThan(50);
      if (scenario.includes('kill')) expect(r.kills).toBeGreaterThan(0);
      expect(r).toMatchObject({ lost: 0, reordered: 0, duplicatedWithNewId: 0, ok: true });
    }
  }, 160_000);
});
