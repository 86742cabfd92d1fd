import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { dropSchema, freshSchemaName, PG_URL } from './engines.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const READY_WITHIN_MS = 20_000;
const EXIT_WITHIN_MS = 10_000;

/** One running `baton start` child. */
export interface ChildBaton {
  url: string;
  pid: number;
  /** Sends the signal and waits for the process to be gone; resolves with the signal or exit code. */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<string>;
  /** What it printed (stdout and stderr, the last 64 KiB), for failure messages. */
  output(): string;
}

/**
 * A store (SQLite directory or PostgreSQL schema) and a baton.yaml in a temp directory, on which
 * built `baton` processes are started, killed and started again, like an operator would: the
 * second `start()` after a kill is a restart on the same data, two `start()`s are a scale-out.
 */
export interface BatonHome {
  engine: 'sqlite' | 'postgres';
  start(): Promise<ChildBaton>;
  /** Kills whatever still runs (SIGKILL), removes the temp directory and drops the schema. */
  dispose(): Promise<void>;
}

/** `config: null` runs the demo account, as `npm start` does with no configuration. */
export function batonHome(engine: 'sqlite' | 'postgres', config: unknown, env: Record<string, string> = {}): BatonHome {
  const dir = mkdtempSync(join(tmpdir(), 'baton-child-'));
  const configFile = join(dir, 'baton.yaml');
  if (config !== null) writeFileSync(configFile, stringify(config));
  const schema = engine === 'postgres' ? freshSchemaName() : null;
  const children = new Set<ChildProcess>();
  // The parent's own BATON_* settings must not leak into the child (a PostgreSQL URL into a SQLite run).
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_')));
  const childEnv = {
    ...inherited,
    ...(config !== null ? { BATON_CONFIG: configFile } : {}),
    BATON_DATA_DIR: join(dir, 'data'),
    BATON_LOG_LEVEL: 'warn',
    // Loads in tests are their own subject; the rate limit has a test of its own.
    BATON_RATE_LIMIT: '0',
    ...(schema ? { BATON_DATABASE_URL: PG_URL, BATON_DATABASE_SCHEMA: schema } : {}),
    ...env,
  };

  return {
    engine,
    async start() {
      const child = spawn(process.execPath, [MAIN, 'start', '--port', '0'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      let out = '';
      const collect = (d: Buffer) => {
        out = (out + d.toString()).slice(-65_536);
      };
      // Both pipes are always read, so a chatty child never blocks on a full pipe.
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => {
        children.delete(child);
        resolve(signal ?? String(code));
      }));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`baton was not ready within ${READY_WITHIN_MS} ms:\n${out}`)), READY_WITHIN_MS);
        const onData = () => {
          const m = /is ready on (http:\/\/\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            child.stdout!.off('data', onData);
            resolve(m[1]!);
          }
        };
        child.stdout!.on('data', onData);
        void exited.then((how) => {
          clearTimeout(timer);
          reject(new Error(`baton exited (${how}) before it was ready:\n${out}`));
        });
      }).catch(async (err: unknown) => {
        child.kill('SIGKILL');
        throw err;
      });
      return {
        url,
        pid: child.pid!,
        async kill(signal) {
          if (child.exitCode !== null || child.signalCode !== null) return exited;
          child.kill(signal);
          const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`baton did not exit within ${EXIT_WITHIN_MS} ms of ${signal}:\n${out}`)), EXIT_WITHIN_MS).unref());
          return Promise.race([exited, timeout]);
        },
        output: () => out,
      };
    },
    async dispose() {
      await Promise.all([...children].map((child) => new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      })));
      rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}

/** JSON over real HTTP on loopback with an API key; network errors are thrown, statuses returned. */
export async function callBaton(url: string, apiKey: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** Polls `check` until it returns true, every `everyMs`, failing with `describe()` after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
