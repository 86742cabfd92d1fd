import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../test/helpers/waiting.js';

/**
 * A PostgreSQL server of its own (initdb in a temp directory, on a free port), so a scenario can
 * SIGKILL it without touching the server other tests share. As root it runs as the `postgres` user,
 * since the server refuses to run as root.
 */
export interface PrivatePostgres {
  url: string;
  /** SIGKILL of the postmaster, as the OOM killer or a crash would do it; its backends follow. */
  kill(): void;
  /** Starts it again on the same data, and resolves once it accepts connections. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root) ? readdirSync(root).sort().at(-1) : undefined;
  if (!version) throw new Error(`no PostgreSQL server under ${root}: install the postgresql package`);
  return join(root, version, 'bin');
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'baton-pg-'));
  const data = join(dir, 'data');
  const root = process.getuid?.() === 0;
  const uid = root ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  const gid = root ? Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) : undefined;
  if (root) chownSync(dir, uid!, gid!);
  const as = (cmd: string, args: string[]) => (root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]) as [string, string[]];
  execFileSync(...as(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']), { stdio: 'ignore' });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let server: ChildProcess | null = null;

  const accepting = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        await client.end().catch(() => {});
      }
    }
    return false;
  };

  const start = async () => {
    // Right after a SIGKILL the old backends may still hold the shared memory for a moment: try again.
    for (let tries = 0; tries < 10; tries++) {
      server = spawn(...as(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=60']), { stdio: 'ignore' });
      if (await accepting(8000)) return;
      server.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the private PostgreSQL in ${data} did not start`);
  };

  const postmasterPid = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  await start();
  return {
    url,
    kill() {
      process.kill(postmasterPid(), 'SIGKILL');
    },
    start,
    async dispose() {
      try {
        process.kill(postmasterPid(), 'SIGQUIT');
      } catch {
        // already gone
      }
      server?.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
