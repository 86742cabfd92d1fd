import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Baton, createBaton, DEFAULT_DELIVERY } from '../../src/app.js';
import { validateConfig } from '../../src/config/load-config.js';
import type { Clock } from '../../src/core/clock.js';
import { NO_AUTH_FAILURE_LIMITS } from '../../src/http/auth-throttle.js';
import { dropSchema, freshSchemaName, PG_URL } from './engines.js';

export interface TestServer {
  baton: Baton;
  url: string;
  /** Real HTTP on loopback; JSON in, JSON out. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Starts a real Baton on an ephemeral loopback port with the given baton.yaml content. */
export async function startServer(engine: 'sqlite' | 'postgres', config: unknown, opts: { clock?: Clock; apiKey?: string; dispatch?: boolean; schema?: string; limits?: { rateLimit: { perSecond: number; burst: number }; headersTimeoutMs: number }; trustProxy?: boolean | number | string; metricsToken?: string } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-srv-'));
  const ownSchema = engine === 'postgres' && !opts.schema;
  const schema = engine === 'postgres' ? opts.schema ?? freshSchemaName() : undefined;
  const baton = await createBaton({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    databaseUrl: engine === 'postgres' ? PG_URL : null,
    ...(schema ? { databaseSchema: schema } : {}),
    config: validateConfig(config),
    logLevel: 'silent',
    bodyLimit: 1024 * 1024,
    addresses: { allowPrivate: false, allowLoopback: true },
    // No rate limit and no lockout unless a test asks: many tests send wrong credentials on purpose.
    limits: opts.limits ?? { rateLimit: { perSecond: 0, burst: 0 }, authFailures: NO_AUTH_FAILURE_LIMITS, headersTimeoutMs: 10_000 },
    ...(opts.trustProxy !== undefined ? { trustProxy: opts.trustProxy } : {}),
    ...(opts.metricsToken ? { metricsToken: opts.metricsToken } : {}),
    timerIntervalMs: 0,
    version: 'test',
    dispatch: opts.dispatch ?? false,
    delivery: { ...DEFAULT_DELIVERY, pollMs: 50 },
  }, opts.clock ? { clock: opts.clock } : {});
  const url = await baton.listen();
  return {
    baton,
    url,
    async call(method, path, body, headers = {}) {
      const res = await fetch(url + path, {
        method,
        headers: { ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      return readAnswer(res);
    },
    async close() {
      await baton.close();
      rmSync(dir, { recursive: true, force: true });
      if (schema && ownSchema) await dropSchema(schema);
    },
  };
}

/** An answer's status, body (parsed when it is JSON, the text otherwise) and headers. */
export async function readAnswer(res: Response): Promise<{ status: number; body: any; headers: Headers }> {
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
