import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { batonHome, callBaton, type ChildBaton } from '../test/helpers/child-baton.js';
import { startPrivatePostgres } from './lib/private-postgres.js';
import { Sink } from './lib/sink.js';
import { latencyP99, type Tally, tally } from './lib/tally.js';
import { sendTraffic } from './lib/traffic.js';

/**
 * `npm run chaos [-- --quick] [-- --only NAME]`: faults against real Baton processes on loopback,
 * each scenario bounded in count and time, and one table of what was sent, delivered, lost,
 * duplicated and reordered. `--json` prints the rows as JSON too (the short CI run reads them).
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const KEY = 'chaos-key-000000000000001';
const LEASE = { BATON_DELIVERY_LEASE_MS: '1500', BATON_DELIVERY_POLL_MS: '200' };

interface Row extends Tally {
  scenario: string;
  /** Faults injected (process kills); 0 where the scenario injects none of that kind. */
  kills?: number;
  engine: string;
  note: string;
  ok: boolean;
}

/** One bot per sink: each endpoint is its own server, as separate bots are in real life. */
function config(sinks: Sink | Sink[], bots: string[], retry: Record<string, unknown> = {}) {
  const urlOf = (i: number) => (Array.isArray(sinks) ? sinks[i]! : sinks).url;
  return {
    accounts: [{
      id: 'chaos',
      apiKeys: [KEY],
      channels: bots.map((b) => ({ id: `ch-${b}`, kind: 'native' })),
      components: bots.map((b, i) => ({ id: b, kind: 'bot', url: `${urlOf(i)}/bot/${b}`, retry: { schedule: ['200ms', '500ms', '1s', '2s', '5s', '10s', '30s'], timeout: '2s', jitter: 0, ...retry } })),
      services: bots.map((b) => ({ id: `svc-${b}`, channels: [`ch-${b}`], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: b } }] })),
    }],
  };
}

async function drain(check: () => boolean, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

/** SIGKILL a Baton process every few seconds while traffic flows; restart it on the same store. */
async function killLoop(engine: 'sqlite' | 'postgres'): Promise<Row> {
  const sink = new Sink();
  await sink.start();
  const home = batonHome(engine, config(sink, ['b0']), LEASE);
  const procs: (ChildBaton | null)[] = [];
  const count = engine === 'postgres' ? 2 : 1;
  for (let i = 0; i < count; i++) procs.push(await home.start());
  let kills = 0;
  let stop = false;
  const killer = (async () => {
    while (!stop) {
      await new Promise((r) => setTimeout(r, quick ? 1500 : 3000));
      if (stop) break;
      const i = kills % count;
      const victim = procs[i];
      procs[i] = null;
      await victim?.kill('SIGKILL');
      kills++;
      procs[i] = await home.start();
    }
  })();
  try {
    const traffic = await sendTraffic({ targets: () => procs.filter((p): p is ChildBaton => p !== null).map((p) => p.url), apiKey: KEY, channel: () => 'ch-b0', conversations: quick ? 20 : 100, messages: quick ? 4000 : 40_000, seconds: quick ? 6 : 40, workers: 16, run: `k${Date.now().toString(36)}` });
    stop = true;
    await killer;
    await drain(() => tally(traffic.accepted, sink.arrivals).lost === 0, 30);
    const t = tally(traffic.accepted, sink.arrivals);
    return { scenario: `SIGKILL every ${quick ? 1.5 : 3} s (${kills} kills, ${count} process${count > 1 ? 'es' : ''})`, engine, kills, ...t, note: `${traffic.refused} refused while down`, ok: kills > 0 && t.lost === 0 && t.reordered === 0 && t.duplicatedWithNewId === 0 };
  } finally {
    stop = true;
    await home.dispose();
    await sink.stop();
  }
}

/** PostgreSQL restarts under load: the processes must ride it out and catch up. */
async function pgRestart(): Promise<Row> {
  const sink = new Sink();
  await sink.start();
  const home = batonHome('postgres', config(sink, ['b0']), LEASE);
  const procs = [await home.start(), await home.start()];
  const cluster = readdirSync('/etc/postgresql')[0]!;
  try {
    const restart = (async () => {
      await new Promise((r) => setTimeout(r, quick ? 2000 : 5000));
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', 'restart'], { stdio: 'ignore' });
    })();
    const traffic = await sendTraffic({ targets: () => procs.map((p) => p.url), apiKey: KEY, channel: () => 'ch-b0', conversations: 20, messages: quick ? 600 : 3000, seconds: quick ? 10 : 30, workers: 8, run: `p${Date.now().toString(36)}` });
    await restart;
    await drain(() => tally(traffic.accepted, sink.arrivals).lost === 0, 30);
    const t = tally(traffic.accepted, sink.arrivals);
    const alive = await Promise.all(procs.map((p) => callBaton(p.url, KEY, 'GET', '/healthz').then((r) => r.status === 200, () => false)));
    const survivors = alive.filter(Boolean).length;
    return { scenario: 'PostgreSQL restarted mid-load (2 processes)', engine: 'postgres', ...t, note: `${survivors}/2 processes still up`, ok: survivors === 2 && t.lost === 0 && t.reordered === 0 };
  } finally {
    await home.dispose();
    await sink.stop();
  }
}

/** Polls `url` until it answers `status`, for up to `ms`; whether it did. */
async function answers(url: string, status: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const got = await callBaton(url, KEY, 'GET', '/readyz').then((r) => r.status, () => 0);
    if (got === status) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/**
 * The PostgreSQL server SIGKILLed under load and kept down for a while (a crash, then an outage),
 * on a server of the scenario's own: the processes stay up, say they are not ready, refuse new
 * messages with 503 (which the channel sends again), and deliver everything in order once it is back.
 */
async function pgKill(): Promise<Row> {
  const sink = new Sink();
  await sink.start();
  const pg = await startPrivatePostgres();
  const home = batonHome('postgres', config(sink, ['b0']), { ...LEASE, BATON_DATABASE_URL: pg.url });
  const outageSeconds = quick ? 4 : 60;
  try {
    const procs = [await home.start(), await home.start()];
    const outage = (async () => {
      await new Promise((r) => setTimeout(r, 2000));
      pg.kill();
      const notReady = await Promise.all(procs.map((p) => answers(p.url, 503, 10_000)));
      const probe = await callBaton(procs[0]!.url, KEY, 'POST', '/v1/channels/ch-b0/messages', { customer: 'probe-while-down', text: 'while down', messageId: `probe-${Date.now()}` }).then((r) => r.status, () => 0);
      await new Promise((r) => setTimeout(r, outageSeconds * 1000));
      await pg.start();
      const readyAgain = await Promise.all(procs.map((p) => answers(p.url, 200, 30_000)));
      return { notReady: notReady.every(Boolean), probe, readyAgain: readyAgain.every(Boolean) };
    })();
    const traffic = await sendTraffic({ targets: () => procs.map((p) => p.url), apiKey: KEY, channel: () => 'ch-b0', conversations: 20, messages: quick ? 600 : 4000, seconds: outageSeconds + (quick ? 10 : 30), workers: 8, run: `x${Date.now().toString(36)}` });
    const seen = await outage;
    await drain(() => tally(traffic.accepted, sink.arrivals).lost === 0, 30);
    const t = tally(traffic.accepted, sink.arrivals);
    const alive = await Promise.all(procs.map((p) => callBaton(p.url, KEY, 'GET', '/healthz').then((r) => r.status === 200, () => false)));
    const survivors = alive.filter(Boolean).length;
    const note = `${outageSeconds} s down; /readyz 503 while down: ${seen.notReady ? 'yes' : 'NO'}; a message while down: ${seen.probe}; ready again: ${seen.readyAgain ? 'yes' : 'NO'}; ${survivors}/2 processes up; ${traffic.refused} refused while down`;
    return { scenario: 'PostgreSQL SIGKILLed, then down (2 processes)', engine: 'postgres', kills: 1, ...t, note, ok: survivors === 2 && seen.notReady && seen.probe === 503 && seen.readyAgain && t.lost === 0 && t.reordered === 0 && t.duplicatedWithNewId === 0 };
  } finally {
    await home.dispose();
    await pg.dispose();
    await sink.stop();
  }
}

/** Half the endpoints never answer or answer slowly; the healthy half must not notice. */
async function blackholes(engine: 'sqlite' | 'postgres'): Promise<Row[]> {
  const bots = ['ok1', 'ok2', 'bad1', 'bad2'];
  const healthy = new Set(['ok1', 'ok2']);
  const run = async (faults: boolean) => {
    const sinks = bots.map(() => new Sink());
    for (const sink of sinks) await sink.start();
    const arrivals = () => sinks.flatMap((x) => x.arrivals);
    const sinkOf = (b: string) => sinks[bots.indexOf(b)]!;
    if (faults) {
      sinkOf('bad1').mode('bad1', 'blackhole');
      sinkOf('bad2').mode('bad2', 'slow');
    }
    const home = batonHome(engine, config(sinks, bots, { timeout: '250ms', breakAfter: 3, schedule: ['200ms', '200ms', '200ms', '200ms'] }), LEASE);
    const proc = await home.start();
    try {
      const traffic = await sendTraffic({ targets: () => [proc.url], apiKey: KEY, channel: (i) => `ch-${bots[i % 4]}`, conversations: 40, messages: quick ? 400 : 2000, seconds: quick ? 8 : 30, workers: 8, run: `b${Date.now().toString(36)}` });
      const okAccepted = traffic.accepted.filter((a) => healthy.has(bots[a.index % 4]!));
      await drain(() => tally(okAccepted, arrivals()).lost === 0, 20);
      const p99 = latencyP99(okAccepted, arrivals(), healthy);
      let fixed: Tally | null = null;
      let inactive = 0;
      if (faults) {
        for (const b of ['bad1', 'bad2']) {
          const h = await callBaton(proc.url, KEY, 'GET', `/v1/components/${b}/health`);
          if (h.body.health?.state === 'inactive') inactive++;
        }
        sinkOf('bad1').mode('bad1', 'ok');
        sinkOf('bad2').mode('bad2', 'ok');
        for (const b of ['bad1', 'bad2']) await callBaton(proc.url, KEY, 'POST', `/v1/components/${b}/verify`);
        await drain(() => tally(traffic.accepted, arrivals()).lost === 0, 30);
        fixed = tally(traffic.accepted, arrivals());
      }
      return { p99, okTally: tally(okAccepted, arrivals()), fixed, inactive };
    } finally {
      await home.dispose();
      for (const sink of sinks) await sink.stop();
    }
  };
  const clean = await run(false);
  const faulty = await run(true);
  const ratio = clean.p99 > 0 ? faulty.p99 / clean.p99 : 0;
  const within = faulty.p99 <= 2 * clean.p99 + 20;
  return [
    { scenario: 'healthy endpoints, half the others black-holed or slow', engine, ...faulty.okTally, note: `p99 ${faulty.p99.toFixed(0)} ms vs ${clean.p99.toFixed(0)} ms fault-free (${ratio.toFixed(2)}x)`, ok: within && faulty.okTally.lost === 0 },
    { scenario: 'broken endpoints: inactive, then fixed and re-verified', engine, ...faulty.fixed!, note: `${faulty.inactive}/2 went inactive; all drained after verify`, ok: faulty.inactive >= 1 && faulty.fixed!.lost === 0 && faulty.fixed!.reordered === 0 },
  ];
}

/** A channel that sends every request twice: Baton must store each message once. */
async function retryingClient(engine: 'sqlite' | 'postgres'): Promise<Row> {
  const sink = new Sink();
  await sink.start();
  const home = batonHome(engine, config(sink, ['b0']), LEASE);
  const proc = await home.start();
  try {
    const traffic = await sendTraffic({ targets: () => [proc.url], apiKey: KEY, channel: () => 'ch-b0', conversations: 20, messages: quick ? 300 : 2000, seconds: quick ? 8 : 30, workers: 8, duplicate: true, run: `r${Date.now().toString(36)}` });
    await drain(() => tally(traffic.accepted, sink.arrivals).lost === 0, 20);
    const t = tally(traffic.accepted, sink.arrivals);
    return { scenario: 'client retries every request', engine, ...t, note: `${traffic.duplicatesStored} duplicate messages stored`, ok: traffic.duplicatesStored === 0 && t.lost === 0 && t.duplicated === 0 };
  } finally {
    await home.dispose();
    await sink.stop();
  }
}

function table(rows: Row[]): string {
  const head = ['scenario', 'engine', 'sent', 'delivered', 'lost', 'duplicated', 'dup new id', 'reordered', 'ok', 'note'];
  const body = rows.map((r) => [r.scenario, r.engine, String(r.sent), String(r.delivered), String(r.lost), String(r.duplicated), String(r.duplicatedWithNewId), String(r.reordered), r.ok ? 'yes' : 'NO', r.note]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const scenarios: [string, () => Promise<Row | Row[]>][] = [
  ['kill-sqlite', () => killLoop('sqlite')],
  ['kill-postgres', () => killLoop('postgres')],
  ['pg-restart', () => pgRestart()],
  ['pg-kill', () => pgKill()],
  ['blackhole', () => blackholes('sqlite')],
  ['retrying-client', () => retryingClient('sqlite')],
];

const rows: Row[] = [];
for (const [name, fn] of scenarios) {
  if (only && only !== name) continue;
  const started = Date.now();
  const r = await fn();
  rows.push(...(Array.isArray(r) ? r : [r]));
  process.stderr.write(`${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
console.log(table(rows));
if (args.includes('--json')) console.log(`CHAOS_JSON ${JSON.stringify(rows)}`);
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
