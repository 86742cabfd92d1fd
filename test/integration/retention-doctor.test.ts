import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createBaton, DEFAULT_DELIVERY } from '../../src/app.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/core/clock.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { NO_AUTH_FAILURE_LIMITS } from '../../src/http/auth-throttle.js';
import { startReceiver } from '../helpers/receiver.js';
import { until } from '../helpers/waiting.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'baton-retention-doctor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = 'doctor-key-00000000000000001';
const DAY = 86_400_000;

function baton(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
}

describe('baton doctor and retention', () => {
  it('shows the rows of every growing table, each account\'s retention and what its last run deleted', async () => {
    const receiver = await startReceiver();
    const file = join(dir, 'baton.yaml');
    writeFileSync(file, `
accounts:
  - id: acme
    apiKeys: [${KEY}]
    channels: [{ id: web, kind: native }]
    components: [{ id: bot, kind: bot, url: "${receiver.url}/bot" }]
    services: [{ id: s, channels: [web], rules: [{ id: r, trigger: { event: message }, action: { type: bot, bot: bot } }] }]
    retention: { closedConversations: 90d, audit: 365d }
  - id: plain
`);
    const dataDir = join(dir, 'data');
    const clock = new ManualClock('2026-01-05T10:00:00.000Z');
    const b = await createBaton({
      port: 0, host: '127.0.0.1', dataDir, databaseUrl: null, config: loadConfigFile(file), logLevel: 'silent', bodyLimit: 1 << 20,
      limits: { rateLimit: { perSecond: 0, burst: 0 }, authFailures: NO_AUTH_FAILURE_LIMITS, headersTimeoutMs: 10_000 },
      addresses: { allowPrivate: false, allowLoopback: true }, timerIntervalMs: 0, version: 'test', dispatch: true, delivery: DEFAULT_DELIVERY,
    }, { clock });
    const url = await b.listen();
    try {
      const post = (path: string, body: unknown) => fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const first = await (await post('/v1/channels/web/messages', { customer: 'gone', text: 'hello' })).json() as { conversation: { id: string } };
      expect((await post(`/v1/conversations/${first.conversation.id}/close`, {})).status).toBe(200);
      await until('the bot to have taken everything', async () => (await b.store.kysely.selectFrom('deliveries').select('id').where('state', '<>', 'delivered').execute()).length === 0);
      expect((await post('/v1/channels/web/messages', { customer: 'stays', text: 'hi' })).status).toBe(201);
      clock.advance(91 * DAY);
      const runs = await b.retention.run();
      expect(runs.find((r) => r.accountId === 'acme')!.deleted.conversations).toBe(1);
    } finally {
      await b.close();
      await receiver.close();
    }
    const r = baton(['doctor', '--config', file], { BATON_DATA_DIR: dataDir, BATON_SQLITE_SYNC: 'full' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('store      sqlite: reachable, synchronous full');
    expect(r.stdout).toMatch(/\nrows {7}conversations 1, messages 1, events \d+, deliveries \d+, delivery_attempts \d+, idempotency_keys 0, sessions 0, audit_log \d+, files 0\n/);
    expect(r.stdout).toContain('  retention closed conversations 90d, deliveries 30d, idempotency keys 1d, audit 365d\n            last run 2026-04-06T10:00:00.000Z: deleted conversations 1, messages 1, events ');
    expect(r.stdout).toMatch(/account plain \(plain\)\n.*\n  retention closed conversations keep, deliveries 30d, idempotency keys 1d, audit keep\n {12}last run 2026-04-06T10:00:00\.000Z: deleted nothing\n/);
  }, 30_000);

  it('opts into a synced commit with BATON_SQLITE_SYNC=full and refuses any other word', async () => {
    const file = join(dir, 'sync.sqlite');
    for (const [opts, want] of [[{}, 1], [{ sync: 'full' as const }, 2]] as const) {
      const store = openSqliteStore(file, opts);
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.kysely);
      expect(rows[0]!.synchronous).toBe(want);
      await store.close();
    }
    const r = baton(['migrate'], { BATON_DATA_DIR: join(dir, 'sync'), BATON_SQLITE_SYNC: 'sometimes' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('BATON_SQLITE_SYNC must be normal or full, not "sometimes".');
  }, 30_000);
});
