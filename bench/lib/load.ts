import { Pool } from 'undici';
import { type Latencies, assertLoopback, latencies } from './stats.js';

export interface LoadResult extends Latencies {
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  /** The first few error answers, to say why. */
  errorSamples: string[];
}

export interface Request {
  method: 'POST' | 'GET' | 'PUT';
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface LoadOptions {
  /** Base URLs on loopback; requests are spread over them round-robin (several Baton processes). */
  urls: string[];
  connections: number;
  /** Hard bounds: the load stops at whichever comes first. */
  maxRequests: number;
  maxSeconds: number;
  /**
   * Builds unit of work i: one request, or a few that must run in order (a handover, then its
   * handback), each timed and counted on its own. Must be cheap.
   */
  request: (i: number) => Request | Request[];
}

/** A closed-loop load: `connections` workers each send, wait for the answer, send again. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const pools = opts.urls.map((u) => new Pool(assertLoopback(u), { connections: Math.ceil(opts.connections / opts.urls.length), pipelining: 1 }));
  const times: number[] = [];
  const errorSamples: string[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + opts.maxSeconds * 1000;
  const worker = async () => {
    while (next < opts.maxRequests && performance.now() < deadline) {
      const i = next++;
      const pool = pools[i % pools.length]!;
      const built = opts.request(i);
      for (const r of Array.isArray(built) ? built : [built]) {
        const t0 = performance.now();
        try {
          const res = await pool.request({ method: r.method, path: r.path, headers: { 'content-type': 'application/json', ...r.headers }, ...(r.body !== undefined ? { body: r.body } : {}) });
          const text = await res.body.text();
          if (res.statusCode >= 400) {
            errors++;
            if (errorSamples.length < 3) errorSamples.push(`${res.statusCode} ${text.slice(0, 200)}`);
          }
        } catch (err) {
          errors++;
          if (errorSamples.length < 3) errorSamples.push(String(err));
        }
        times.push(performance.now() - t0);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(pools.map((p) => p.close()));
  return { requests: times.length, errors, seconds, throughput: (times.length - errors) / seconds, errorSamples, ...latencies(times) };
}
