import { readAnswer } from './server.js';
import { type Baton, createBaton, DEFAULT_DELIVERY, type RuntimeConfig } from '../../src/app.js';
import { validateConfig } from '../../src/config/load-config.js';
import { NO_AUTH_FAILURE_LIMITS } from '../../src/http/auth-throttle.js';
import { PG_URL } from './engines.js';

/** Where one Baton after another keeps its data: a SQLite directory or a PostgreSQL schema. */
export interface StorePlace {
  engine: 'sqlite' | 'postgres';
  dataDir: string;
  schema?: string;
}

/**
 * Starts a real Baton on loopback over a store that outlives it, so a test can restart it with
 * another configuration (null: demo mode) and see what still works.
 */
export async function bootOn(place: StorePlace, config: unknown | null, over: Partial<RuntimeConfig> = {}): Promise<{ baton: Baton; url: string }> {
  const baton = await createBaton({
    port: 0,
    host: '127.0.0.1',
    dataDir: place.dataDir,
    databaseUrl: place.engine === 'postgres' ? PG_URL : null,
    ...(place.schema ? { databaseSchema: place.schema } : {}),
    config: config === null ? null : validateConfig(config),
    logLevel: 'silent',
    bodyLimit: 1024 * 1024,
    addresses: { allowPrivate: false, allowLoopback: true },
    limits: { rateLimit: { perSecond: 0, burst: 0 }, authFailures: NO_AUTH_FAILURE_LIMITS, headersTimeoutMs: 10_000 },
    timerIntervalMs: 0,
    version: 'test',
    dispatch: false,
    delivery: { ...DEFAULT_DELIVERY, pollMs: 50 },
    ...over,
  });
  return { baton, url: await baton.listen() };
}

export async function http(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return readAnswer(res);
}

/** Logs an agent in to the inbox; returns the session cookie, or the failed answer. */
export async function login(url: string, account: string, agent: string, password: string): Promise<{ status: number; cookie: string | null; body: any }> {
  const res = await http(`${url}/inbox/api/login`, 'POST', { account, agent, password });
  const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? null;
  return { status: res.status, cookie, body: res.body };
}
