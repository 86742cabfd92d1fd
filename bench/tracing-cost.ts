import { createServer } from 'node:http';
import { type BatonProcess, batonHome } from './lib/baton-process.js';
import { loadAverage } from './lib/machine.js';
import { QUICK, startRig } from './lib/rig.js';
import { roundTrips, warmUp } from './scenarios/round-trip.js';

/**
 * `node --import tsx bench/tracing-cost.ts [--seconds 10] [--rate 100] [--repeat 2] [--modes off,on]`:
 * what tracing costs. Round trips (visitor -> Baton -> bot -> Baton -> channel) at a fixed rate on
 * SQLite, one fresh Baton per run, modes taken in turn so drift in the machine's load hits each:
 * `off` (no OTEL_* variable) and `on` (OTLP/JSON to a receiver in this process, every span
 * sampled). Prints Baton's CPU ms per round trip and the latencies; asserts nothing.
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const seconds = Number(arg('seconds', '10'));
const rate = Number(arg('rate', '100'));
const repeat = Number(arg('repeat', '2'));
const modes = arg('modes', 'off,on').split(',');

let exported = 0;
const receiver = createServer((req, res) => {
  req.on('data', (c: Buffer) => {
    exported += c.length;
  });
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const otlpUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;

const OTEL_ON = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl };
for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_')) delete process.env[k];

console.log(`load at start: ${loadAverage()}; ${seconds} s at ${rate} round trips/s per run; build ${process.env.BENCH_BATON_MAIN ?? 'dist/'}`);
const rig = await startRig({ ...QUICK, seconds });
try {
  for (let r = 0; r < repeat; r++) {
    for (const mode of modes) {
      if (mode === 'on') Object.assign(process.env, OTEL_ON);
      const home = batonHome('sqlite', rig.configFile);
      for (const k of Object.keys(OTEL_ON)) delete process.env[k];
      let baton: BatonProcess | undefined;
      try {
        baton = await home.start();
        await warmUp(rig, [baton.url], undefined, 500);
        const before = exported;
        const row = await roundTrips(rig, { id: `tracing.${mode}`, scenario: `tracing ${mode}`, engine: 'sqlite', urls: [baton.url], batons: [baton], shape: { kind: 'open', perSecond: rate }, maxSeconds: seconds });
        await new Promise((res) => setTimeout(res, mode === 'on' ? 6000 : 0));
        console.log(`tracing ${mode.padEnd(3)} run ${r + 1}: ${row.count} trips, ${row.errors} lost, CPU ${row.perOp?.cpuMs.toFixed(3)} ms/trip, p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms, machine busy ${(row.cpu.machineBusy * 100).toFixed(0)}%, OTLP ${((exported - before) / 1024).toFixed(0)} KiB; load ${loadAverage()}`);
      } finally {
        await home.dispose();
      }
    }
  }
} finally {
  await rig.close();
  receiver.close();
}
