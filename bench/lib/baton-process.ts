import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

export interface BatonProcess {
  url: string;
  child: ChildProcess;
  /** Peak resident set size in MB, sampled from /proc while it runs. */
  maxRssMb(): number;
  stop(): Promise<void>;
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Starts the built `baton start` as its own process, like an operator would, on a loopback port. */
export async function startBaton(env: Record<string, string> = {}): Promise<BatonProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const child = spawn(process.execPath, [MAIN, 'start', '--port', '0'], { env: { ...process.env, BATON_DATA_DIR: dir, BATON_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`baton exited with ${code}: ${out}`)));
  });
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, rssMb(child.pid!)); }, 200);
  return {
    url,
    child,
    maxRssMb: () => Math.max(peak, rssMb(child.pid!)),
    async stop() {
      clearInterval(sampler);
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
