import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BatonHome, type Engine, batonHome, disposeAllHomes } from './lib/baton-process.js';
import { loadAverage } from './lib/machine.js';
import { type Row, table, targetLines } from './lib/report.js';
import { FULL, QUICK, type Rig, startRig } from './lib/rig.js';
import { targetsFor } from './lib/targets.js';
import { handoverStorm } from './scenarios/handover-storm.js';
import { ingest } from './scenarios/ingest.js';
import { roundTrips, warmUp } from './scenarios/round-trip.js';
import { scale } from './scenarios/scale.js';
import { scaleOut } from './scenarios/scale-out.js';

/**
 * `npm run bench [-- --quick]`: the baseline and every scenario, on loopback, each load bounded
 * in count and time; one table, the targets under it, and bench/results/<date>.json. It measures
 * and reports; it asserts nothing. `--seed-outbox` also seeds the scale scenario's delivered
 * outbox rows (slower); `--storm-postgres` and `--scale-postgres` run the handover storm and the
 * scale scenario on PostgreSQL too (slower: minutes of outbox backlog, of seeding);
 * BENCH_CPU_PROF=DIR writes a CPU profile of every Baton process.
 */
const quick = process.argv.includes('--quick');
const budget = quick ? QUICK : FULL;
const started = performance.now();
const loadAtStart = loadAverage();
const rows: Row[] = [];
const failures: string[] = [];
const skipped: string[] = [];

const root = new URL('..', import.meta.url).pathname;
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** A scenario that fails is reported and the others still run: one broken figure must not hide the rest. */
async function attempt(name: string, fn: () => Promise<Row[] | Row>): Promise<void> {
  const t0 = performance.now();
  try {
    const got = await fn();
    rows.push(...(Array.isArray(got) ? got : [got]));
  } catch (err) {
    failures.push(`${name}: ${err instanceof Error ? err.message.split('\n').slice(0, 3).join(' ') : String(err)}`);
  }
  console.error(`  ${name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

const row = (id: string) => rows.find((r) => r.id === id);
const bigCount = budget.scaleConversations.toLocaleString('en-US');
const half = (engine: Engine) => Math.max(10, Math.round((row(`${engine}.roundTrip.peak`)?.throughput ?? 40) / 2));

/**
 * Everything measured on one engine's fresh store in one Baton process. The round trips go first,
 * so the process's peak RSS under them is not that of the ingest before; the storm goes last,
 * because its outbox backlog takes a while to drain.
 */
async function engineScenarios(rig: Rig, engine: Engine): Promise<void> {
  const home: BatonHome = batonHome(engine, rig.configFile);
  try {
    const baton = await home.start();
    await attempt(`${engine} round trip`, async () => {
      await warmUp(rig, [baton.url]);
      return roundTrips(rig, { id: `${engine}.roundTrip.peak`, scenario: 'round trip, peak', engine, urls: [baton.url], batons: [baton], shape: { kind: 'closed', inFlight: budget.inFlight }, baseline: 'baseline.roundTrip.peak' });
    });
    const rate = half(engine);
    await attempt(`${engine} round trip at half peak`, () => roundTrips(rig, { id: `${engine}.roundTrip.half`, scenario: 'round trip, half of peak', engine, urls: [baton.url], batons: [baton], shape: { kind: 'open', perSecond: rate }, baseline: `baseline.roundTrip.half.${engine}` }));
    await attempt(`baseline round trip at ${engine}'s half peak`, () => roundTrips(rig, { id: `baseline.roundTrip.half.${engine}`, scenario: `round trip, at ${engine}'s half peak`, engine: 'baseline', urls: [rig.forwarder.url], batons: [], shape: { kind: 'open', perSecond: rate } }));
    await attempt(`${engine} ingest (native)`, () => ingest(rig, engine, 'native', [baton.url], [baton]));
    await attempt(`${engine} ingest (omnichannel)`, () => ingest(rig, engine, 'omnichannel', [baton.url], [baton]));
    // 10,000 handovers on PostgreSQL leave minutes of outbox behind on 2 cores: on request only.
    if (engine === 'sqlite' || process.argv.includes('--storm-postgres')) await attempt(`${engine} handover storm`, () => handoverStorm(rig, engine, baton, rate, `baseline.roundTrip.half.${engine}`));
    else skipped.push(`handover storm on ${engine} (add --storm-postgres)`);
  } finally {
    await home.dispose();
  }
}

console.error(`Baton bench (${quick ? 'quick' : 'full'}), load average ${loadAtStart}`);
const distBuilt = statSync(join(root, 'dist/cli/main.js')).mtimeMs;
const stale = newestMtime(join(root, 'src')) > distBuilt;
if (stale) console.error('  warning: src/ changed after the last build; these figures are of dist/ as built (npm run build)');
const rig = await startRig(budget);
// Interrupted: stop the processes, remove the temp directories, drop the schemas, then go.
const cleanup = () => void Promise.allSettled([disposeAllHomes(), rig.close()]).finally(() => process.exit(130));
process.once('SIGINT', cleanup);
try {
  await attempt('baseline ingest', async () => [
    await ingest(rig, 'baseline', 'native', [rig.forwarder.url], []),
    await ingest(rig, 'baseline', 'omnichannel', [rig.forwarder.url], []),
  ]);
  await attempt('baseline round trip', () => roundTrips(rig, { id: 'baseline.roundTrip.peak', scenario: 'round trip, peak', engine: 'baseline', urls: [rig.forwarder.url], batons: [], shape: { kind: 'closed', inFlight: budget.inFlight } }));
  await engineScenarios(rig, 'sqlite');
  await engineScenarios(rig, 'postgres');
  await attempt('postgres, 1 vs 3 processes', () => scaleOut(rig));
  const seedOutbox = process.argv.includes('--seed-outbox');
  for (const engine of ['sqlite', ...(process.argv.includes('--scale-postgres') ? ['postgres' as const] : [])] as const) {
    await attempt(`${engine} scale, 1,000 conversations`, () => scale(rig, engine, 1000, `${engine}.scale.small`, budget.seedSeconds, seedOutbox));
    await attempt(`${engine} scale, ${bigCount} conversations`, () => scale(rig, engine, budget.scaleConversations, `${engine}.scale.big`, budget.seedSeconds, seedOutbox));
  }
} finally {
  process.off('SIGINT', cleanup);
  await rig.close();
}

const targets = targetsFor(rows, { quick, scaleConversations: budget.scaleConversations });

const seconds = (performance.now() - started) / 1000;
const loadAtEnd = loadAverage();
console.log(`\nBaton bench, ${quick ? 'quick' : 'full'} run, ${new Date().toISOString()}, commit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', 'src').length > 0 ? ' (src/ modified)' : ''}, ${seconds.toFixed(0)} s`);
console.log(`load average at start ${loadAtStart}, at end ${loadAtEnd} (2 cores: other work on the machine shows up here and in "CPU busy")${stale ? '; WARNING: dist/ is older than src/' : ''}\n`);
console.log(table(rows));
console.log('\nTargets (reported, not asserted):');
console.log(targetLines(targets));
if (skipped.length > 0) console.log(`\nNot run: ${skipped.join('; ')}`);
if (failures.length > 0) console.log(`\nScenarios that failed:\n${failures.map((f) => `  ${f}`).join('\n')}`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
const file = join(root, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ quick, at: new Date().toISOString(), commit: git('rev-parse', 'HEAD'), seconds, load: { start: loadAtStart, end: loadAtEnd }, distStale: stale, rows, targets, failures, skipped }, null, 2));
console.log(`\nresults: ${file}`);
