import { type ChildProcess, spawn } from 'node:child_process';

const READY_WITHIN_MS = 20_000;

export interface ChildServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Runs one of bench/servers/*.ts in its own Node process (through tsx) and waits for its
 * "listening on URL" line. Own processes, so that the bot and the baseline do not share an
 * event loop with the load generator.
 */
export async function startChildServer(script: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const file = new URL(`../servers/${script}`, import.meta.url).pathname;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${READY_WITHIN_MS} ms: ${out}`)), READY_WITHIN_MS);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${out}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
