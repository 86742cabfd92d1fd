import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { RssPeak } from './machine.js';

/** BENCH_BATON_MAIN=FILE runs another build's `dist/cli/main.js` (to compare two commits on one machine). */
const MAIN = process.env.BENCH_BATON_MAIN ?? new URL('../../dist/cli/main.js', import.meta.url).pathname;
export const PG_URL = process.env.BATON_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const READY_WITHIN_MS = 60_000;
const EXIT_WITHIN_MS = 15_000;
/** BENCH_CPU_PROF=DIR: every Baton process writes a V8 CPU profile there when it stops (open in Chrome DevTools). */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

export type Engine = 'sqlite' | 'postgres';

/** One running `baton start`. */
export interface BatonProcess {
  url: string;
  pid: number;
  rss: RssPeak;
  /** Lines Baton wrote to stderr (warnings and errors at the bench's log level). */
  complaints(): string[];
  stop(): Promise<void>;
}

/**
 * A store (a SQLite directory or a PostgreSQL schema) and its baton.yaml, on which built `baton`
 * processes are started like an operator would: two `start()`s are a scale-out on one store, a
 * `start()` after a `stop()` a restart on the same data (what the scale scenario needs after
 * seeding). The same approach as test/helpers/child-baton.ts, plus RSS sampling.
 */
export interface BatonHome {
  engine: Engine;
  /** Where the store is, for code that opens it directly (the seeder). */
  store: { databaseUrl: string | null; dataDir: string; schema?: string };
  start(): Promise<BatonProcess>;
  /** Stops whatever still runs, removes the temp directory and drops the schema. */
  dispose(): Promise<void>;
}

const homes = new Set<BatonHome>();

/** Disposes every home not disposed yet (the bench was interrupted). */
export async function disposeAllHomes(): Promise<void> {
  await Promise.allSettled([...homes].map((h) => h.dispose()));
}

export function batonHome(engine: Engine, configFile: string): BatonHome {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first.`);
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const schema = engine === 'postgres' ? `baton_bench_${process.pid}_${Date.now().toString(36)}` : null;
  const dataDir = join(dir, 'data');
  // The parent's own BATON_* settings must not leak into the child (a PostgreSQL URL into a SQLite run).
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_')));
  // The per-credential rate limit is off: the bench measures what Baton can do, not the limiter.
  const env = { ...inherited, BATON_CONFIG: configFile, BATON_DATA_DIR: dataDir, BATON_LOG_LEVEL: 'warn', BATON_RATE_LIMIT: '0', ...(schema ? { BATON_DATABASE_URL: PG_URL, BATON_DATABASE_SCHEMA: schema } : {}) };
  const running = new Set<BatonProcess>();

  const home: BatonHome = {
    engine,
    store: { databaseUrl: schema ? PG_URL : null, dataDir, ...(schema ? { schema } : {}) },
    async start() {
      const p = await spawnBaton(env);
      running.add(p);
      const stop = p.stop;
      p.stop = async () => {
        running.delete(p);
        await stop();
      };
      return p;
    },
    async dispose() {
      homes.delete(home);
      await Promise.all([...running].map((p) => p.stop()));
      rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
  homes.add(home);
  return home;
}

async function spawnBaton(env: Record<string, string | undefined>): Promise<BatonProcess> {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, MAIN, 'start', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const complaints: string[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-65_536);
  });
  // Always read stderr so a chatty child never blocks on a full pipe; keep the last lines.
  child.stderr!.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line.trim()) complaints.push(line.slice(0, 500));
    if (complaints.length > 1000) complaints.splice(0, complaints.length - 1000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baton was not ready within ${READY_WITHIN_MS} ms:\n${out}\n${complaints.join('\n')}`)), READY_WITHIN_MS);
    const onData = () => {
      const m = /is ready on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`baton exited before it was ready:\n${out}\n${complaints.join('\n')}`));
    });
  });
  const rss = new RssPeak(child.pid!);
  return {
    url,
    pid: child.pid!,
    rss,
    complaints: () => complaints,
    async stop() {
      rss.stop();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), EXIT_WITHIN_MS).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
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
