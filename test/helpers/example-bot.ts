import { type ChildProcess, spawn } from 'node:child_process';

/** Runs an example bot of `examples/` as its own process on `port`; resolves once it says it is listening. */
export async function startExampleBot(script: string, port: number, env: Record<string, string>): Promise<ChildProcess> {
  const bot = spawn(process.execPath, [script], { env: { ...process.env, PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    bot.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    bot.on('exit', (code) => reject(new Error(`the example bot ${script} exited (${code}) before it listened`)));
  });
  return bot;
}
