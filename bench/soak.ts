import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Engine, batonHome, disposeAllHomes } from './lib/baton-process.js';
import { cpuSeconds, loadAverage, rssMb } from './lib/machine.js';
import { QUICK, startRig } from './lib/rig.js';
import { runRoundTrips } from './lib/round-trips.js';
import { warmUp } from './scenarios/round-trip.js';

/**
 * `npm run soak -- --engine sqlite --rate 200 --minutes 60`: round trips on a fixed schedule for
 * a long time, over 1,000 conversations that keep growing, one line per window. What it looks
 * for is drift: RSS, p99 and CPU per round trip should stay flat. The slopes at the end are least
 * squares over the windows, per hour; the first window is left out (the store and JIT warming).
 */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const engine = arg('engine', 'sqlite') as Engine;
const rate = Number(arg('rate', '100'));
const minutes = Number(arg('minutes', '60'));
const windowSeconds = Number(arg('window', '60'));
if (!['sqlite', 'postgres'].includes(engine) || !(rate > 0) || !(minutes > 0) || !(windowSeconds >= 5)) {
  console.error('usage: npm run soak -- [--engine sqlite|postgres] [--rate trips/s] [--minutes N] [--window seconds >= 5]');
  process.exit(2);
}

interface Window { at: number; served: number; lost: number; p50: number; p99: number; rssMb: number; anonMb: number; cpuMsPerTrip: number; load: string }

function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const num = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const rig = await startRig({ ...QUICK, seconds: windowSeconds });
const home = batonHome(engine, rig.configFile);
const windows: Window[] = [];
// Stopped early: the Baton process, its temp directory and its schema go too.
const stopEarly = () => void Promise.allSettled([disposeAllHomes(), rig.close()]).finally(() => process.exit(130));
process.once('SIGINT', stopEarly);
process.once('SIGTERM', stopEarly);
const started = performance.now();
try {
  const baton = await home.start();
  await warmUp(rig, [baton.url]);
  console.log(`soak: ${engine}, ${rate} round trips/s scheduled, ${minutes} min in ${windowSeconds} s windows, load average ${loadAverage()}`);
  console.log('minute  served/s  lost  p50 ms  p99 ms  CPU ms/trip  RSS MB (anon)  load');
  const end = started + minutes * 60_000;
  while (performance.now() < end) {
    const cpu0 = cpuSeconds(baton.pid);
    const r = await runRoundTrips({ urls: [baton.url], sink: rig.sink, shape: { kind: 'open', perSecond: rate }, chat: (i) => `rt-${i % 1000}`, maxTrips: 10_000_000, maxSeconds: Math.min(windowSeconds, (end - performance.now()) / 1000), run: rig.run('soak') });
    const cpu = cpuSeconds(baton.pid) - cpu0;
    const mem = rssMb(baton.pid);
    const w: Window = { at: (performance.now() - started) / 60_000, served: r.throughput, lost: r.lost + r.rejected, p50: r.p50, p99: r.p99, rssMb: mem.total, anonMb: mem.anon, cpuMsPerTrip: r.trips ? (cpu * 1000) / r.trips : 0, load: loadAverage() };
    windows.push(w);
    console.log(`${w.at.toFixed(1).padStart(6)}  ${w.served.toFixed(0).padStart(8)}  ${String(w.lost).padStart(4)}  ${w.p50.toFixed(1).padStart(6)}  ${w.p99.toFixed(1).padStart(6)}  ${w.cpuMsPerTrip.toFixed(2).padStart(11)}  ${w.rssMb.toFixed(0).padStart(6)} (${w.anonMb.toFixed(0)})  ${w.load}`);
  }
} finally {
  await home.dispose();
  await rig.close();
}

const steady = windows.slice(1);
const perHour = (f: (w: Window) => number) => slope(steady.map((w) => [w.at / 60, f(w)]));
const sorted = steady.map((w) => w.p99).sort((a, b) => a - b);
const summary = {
  engine, rate, minutes, windowSeconds,
  lost: windows.reduce((a, w) => a + w.lost, 0),
  rssSlopeMbPerHour: perHour((w) => w.rssMb),
  anonSlopeMbPerHour: perHour((w) => w.anonMb),
  p99SlopeMsPerHour: perHour((w) => w.p99),
  cpuSlopeMsPerHour: perHour((w) => w.cpuMsPerTrip),
  p99MedianMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
  rssFirstLastMb: [steady[0]?.rssMb ?? 0, steady.at(-1)?.rssMb ?? 0],
};
console.log(`\nslopes per hour (windows 2..${windows.length}): RSS ${summary.rssSlopeMbPerHour.toFixed(1)} MB (anon ${summary.anonSlopeMbPerHour.toFixed(1)}), p99 ${summary.p99SlopeMsPerHour.toFixed(1)} ms (median window p99 ${summary.p99MedianMs.toFixed(1)} ms), CPU ${summary.cpuSlopeMsPerHour.toFixed(3)} ms/trip; lost or refused ${summary.lost}`);
const dir = join(new URL('..', import.meta.url).pathname, 'bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `soak-${engine}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ summary, windows }, null, 2));
console.log(`results: ${file}`);
