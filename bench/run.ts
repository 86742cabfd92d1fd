import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startBaton } from './lib/baton-process.js';
import { type LoadResult, runLoad } from './lib/load.js';
import { startSink } from './lib/sink.js';

/**
 * `npm run bench [-- --quick]`: starts Baton as its own process on loopback, drives it with a
 * closed-loop load generator, prints one table and writes bench/results/<date>.json.
 * Loads are bounded in count and time. It prints figures; it asserts nothing.
 */
const quick = process.argv.includes('--quick');
const PG_URL = process.env.BATON_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEY = 'demo-api-key-0123456789';

interface Row extends LoadResult {
  scenario: string;
  engine: string;
  maxRssMb: number;
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
}

function engineEnv(engine: 'sqlite' | 'postgres', schema: string): Record<string, string> {
  return engine === 'postgres' ? { BATON_DATABASE_URL: PG_URL, BATON_DATABASE_SCHEMA: schema } : {};
}

/**
 * Deliveries per second to a fast local receiver: messages are posted for 1,000 conversations
 * while the dispatcher sends their events on; the figure is events received by the bot endpoint
 * per second, from the first post to the last arrival.
 */
async function delivery(engine: 'sqlite' | 'postgres'): Promise<Row> {
  const schema = `baton_bench_d_${Date.now().toString(36)}`;
  const sink = await startSink();
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-cfg-'));
  const cfg = join(dir, 'baton.yaml');
  writeFileSync(cfg, [
    'accounts:',
    '  - id: bench',
    `    apiKeys: [${KEY}]`,
    '    channels: [{ id: api, kind: native }]',
    `    components: [{ id: bot, kind: bot, url: "${sink.url}/bot" }]`,
    '    services: [{ id: main, channels: [api], rules: [{ id: r, trigger: { event: message }, action: { type: bot, bot: bot } }] }]',
  ].join('\n'));
  const baton = await startBaton({ ...engineEnv(engine, schema), BATON_CONFIG: cfg });
  try {
    const run = Date.now().toString(36);
    const total = quick ? 10_000 : 40_000;
    const started = performance.now();
    const load = await runLoad({
      url: baton.url, connections: 16, maxRequests: total, maxSeconds: quick ? 20 : 60,
      request: (i) => ({ method: 'POST', path: '/v1/channels/api/messages', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify({ customer: `c${run}-${i % 1000}`, text: `m${i}` }) }),
    });
    // Every accepted message is one delivery; each of the 1,000 conversations adds two more at its start.
    const expected = load.requests - load.errors + 2 * Math.min(1000, load.requests);
    const deadline = performance.now() + 120_000;
    while (sink.count() < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const seconds = (sink.lastAt() - started) / 1000;
    const delivered = sink.count();
    return { scenario: `deliveries to a local bot (${delivered}/${expected})`, engine, maxRssMb: baton.maxRssMb(), requests: delivered, errors: expected - delivered, seconds, throughput: delivered / seconds, p50: load.p50, p99: load.p99, max: load.max };
  } finally {
    await baton.stop();
    await sink.close();
    if (engine === 'postgres') await dropSchema(schema);
  }
}

async function ingest(engine: 'sqlite' | 'postgres'): Promise<Row> {
  const schema = `baton_bench_${Date.now().toString(36)}`;
  const baton = await startBaton(engineEnv(engine, schema));
  try {
    const run = Date.now().toString(36);
    const request = (i: number) => ({
      method: 'POST' as const,
      path: '/v1/channels/api/messages',
      headers: { authorization: `Bearer ${KEY}` },
      // 1,000 customers, so most messages continue an existing conversation, as in production.
      body: JSON.stringify({ customer: `+1555${run}${i % 1000}`, text: `message ${i}`, messageId: `${run}-${i}` }),
    });
    await runLoad({ url: baton.url, connections: 16, maxRequests: 500, maxSeconds: 5, request }); // warm-up
    const result = await runLoad({ url: baton.url, connections: 32, maxRequests: quick ? 20_000 : 100_000, maxSeconds: quick ? 10 : 30, request: (i) => request(i + 1_000_000) });
    return { scenario: 'ingest (native API)', engine, maxRssMb: baton.maxRssMb(), ...result };
  } finally {
    await baton.stop();
    if (engine === 'postgres') await dropSchema(schema);
  }
}

function table(rows: Row[]): string {
  const head = ['scenario', 'engine', 'requests', 'errors', 'throughput/s', 'p50 ms', 'p99 ms', 'max ms', 'max RSS MB'];
  const body = rows.map((r) => [r.scenario, r.engine, String(r.requests), String(r.errors), r.throughput.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2), r.max.toFixed(1), r.maxRssMb.toFixed(0)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const rows: Row[] = [];
for (const engine of ['sqlite', 'postgres'] as const) {
  rows.push(await ingest(engine));
  rows.push(await delivery(engine));
}
console.log(table(rows));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
writeFileSync(file, JSON.stringify({ quick, at: new Date().toISOString(), rows }, null, 2));
console.log(`\nresults: ${file.pathname}`);
