import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

/**
 * The demo Baton as one `baton start` process that a test stops and starts again on the same port
 * and the same data directory, as an operator's restart: pages that were open stay open and must
 * find it again. (test/helpers/child-baton.ts always asks for a new port.)
 */
export interface RestartableBaton {
  url: string;
  /** Its SQLite file, for a test to change what a restart cannot (a session's expiry). */
  sqliteFile: string;
  start(): Promise<void>;
  /** SIGTERM, and waits for the process to be gone. */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function restartableBaton(): Promise<RestartableBaton> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-restart-'));
  const port = await freePort();
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_')));
  const env = { ...inherited, BATON_DATA_DIR: join(dir, 'data'), BATON_LOG_LEVEL: 'warn', BATON_RATE_LIMIT: '0' };
  let child: ChildProcess | null = null;
  let out = '';

  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    await Promise.race([gone, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`baton did not stop:\n${out}`)), 10_000).unref())]);
    child = null;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    sqliteFile: join(dir, 'data', 'baton.sqlite'),
    async start() {
      const c = spawn(process.execPath, [MAIN, 'start', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`baton was not ready within 20 s:\n${out}`)), 20_000);
        const onData = (d: Buffer) => {
          out = (out + d.toString()).slice(-65_536);
          if (out.includes('is ready on')) {
            clearTimeout(timer);
            out = '';
            resolve();
          }
        };
        c.stdout!.on('data', onData);
        c.stderr!.on('data', onData);
        c.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`baton exited (${signal ?? code}) before it was ready:\n${out}`));
        });
      });
    },
    stop,
    async dispose() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        c.kill('SIGKILL');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
