import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
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
  /**
   * SIGKILL of the postmaster and every process it started (backends, checkpointer, WAL writer),
   * all at once, as a crash of the machine's PostgreSQL would: no backend lives on to answer.
   * (Each backend makes itself a process group of its own, so a kill of the postmaster's group
   * would miss them; and a stopped postmaster would stop `runuser` with it, which then never reaps it.)
   */
  kill(): void;
  /** Starts it again on the same data, and resolves once it accepts connections. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

const ROOT = '/usr/lib/postgresql';

/** The newest installed server's bin directory, or null where no PostgreSQL server is installed. */
export function postgresBinDir(): string | null {
  const versions = existsSync(ROOT) ? readdirSync(ROOT).filter((v) => existsSync(join(ROOT, v, 'bin', 'postgres'))) : [];
  const version = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  return version ? join(ROOT, version, 'bin') : null;
}

function binDir(): string {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`no PostgreSQL server under ${ROOT}: install the postgresql package`);
  return bin;
}

/**
 * The processes working in `dir`: PostgreSQL's postmaster changes into its data directory and every
 * process it starts inherits that, so this finds them all, orphans included.
 */
function processesIn(dir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === dir) out.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to look at
    }
  }
  return out;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'baton-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
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
      const logFd = openSync(logFile, 'a');
      server = spawn(...as(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=60']), { stdio: ['ignore', logFd, logFd] });
      closeSync(logFd);
      if (await accepting(8000)) return;
      server.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the private PostgreSQL in ${data} did not start:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
  };

  const realData = realpathSync(data);
  const postmasterPid = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  await start();
  return {
    url,
    kill() {
      process.kill(postmasterPid(), 'SIGKILL');
      // Twice: a backend forked while the first list was read is in the second.
      for (let pass = 0; pass < 2; pass++) {
        for (const pid of processesIn(realData)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
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
