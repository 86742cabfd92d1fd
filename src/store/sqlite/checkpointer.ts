import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Frames in the WAL above which the writing connection checkpoints by itself (the worker fell behind). */
export const BACKSTOP_PAGES = 20_000;

// Runs in its own thread on its own connection: plain JavaScript, so it runs the same from dist/
// and under the test runner, and needs no file of its own.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 1000 });
db.pragma('busy_timeout = 1000');
const tick = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ failed: String(err && err.message || err) }); }
};
const timer = setInterval(tick, workerData.everyMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); try { db.close(); } catch {} parentPort.close(); } });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * A checkpoint copies the WAL back into the database file and syncs both: with SQLite's own
 * automatic checkpoint that happens inside a commit, on the event loop, every thousand pages, and a
 * message waits for the disk. Here a worker thread checkpoints every `everyMs` on a connection of
 * its own (PASSIVE: it never blocks the writer); the writer keeps a far larger automatic threshold
 * as a backstop in case the worker falls behind or fails.
 */
export function startCheckpointer(file: string, everyMs = 200, onFailure: (message: string) => void = () => {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { file, driver, everyMs } });
  worker.unref();
  let reported = false;
  worker.on('message', (m: { failed?: string }) => {
    if (m.failed && !reported) {
      reported = true;
      onFailure(m.failed);
    }
  });
  worker.on('error', (err) => onFailure(err.message));
  return {
    async stop() {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // Held while stopping: with nothing else left to do, an unreferenced wait would end the process mid-close.
      worker.ref();
      worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
      await worker.terminate().catch(() => {});
    },
  };
}
