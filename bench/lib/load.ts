import { Pool } from 'undici';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadOptions {
  /** Base URL on loopback. */
  url: string;
  connections: number;
  /** Hard bounds: the load stops at whichever comes first. */
  maxRequests: number;
  maxSeconds: number;
  /** Builds request i; must be cheap. */
  request: (i: number) => { method: 'POST' | 'GET'; path: string; body?: string; headers?: Record<string, string> };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A closed-loop load: `connections` workers each send, wait for the answer, send again. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const origin = new URL(opts.url).origin;
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(origin)) throw new Error(`bench targets loopback only, not ${origin}`);
  const pool = new Pool(origin, { connections: opts.connections, pipelining: 1 });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + opts.maxSeconds * 1000;
  const worker = async () => {
    while (next < opts.maxRequests && performance.now() < deadline) {
      const i = next++;
      const r = opts.request(i);
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: r.method, path: r.path, headers: { 'content-type': 'application/json', ...r.headers }, ...(r.body !== undefined ? { body: r.body } : {}) });
        await res.body.dump();
        if (res.statusCode >= 400) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, seconds, throughput: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? 0 };
}
