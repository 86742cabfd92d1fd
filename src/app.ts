import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { applyConfig } from './config/apply-config.js';
import { demoConfig } from './config/demo-config.js';
import type { NormalizedConfig } from './config/load-config.js';
import { type Clock, systemClock } from './core/clock.js';
import { Queries } from './core/queries.js';
import { Router } from './core/router.js';
import { buildServer } from './http/server.js';
import type { KyselyStore } from './store/kysely-store.js';
import { openStore } from './store/open-store.js';

/** Everything `baton start` needs, read once from flags and environment by the CLI and frozen. */
export interface RuntimeConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  /** PostgreSQL schema to live in (tests, several Batons on one database). */
  databaseSchema?: string;
  /** null: the demo account. */
  config: NormalizedConfig | null;
  logLevel: string;
  bodyLimit: number;
  timerIntervalMs: number;
  version: string;
}

export interface Baton {
  app: FastifyInstance;
  store: KyselyStore;
  router: Router;
  queries: Queries;
  logger: Logger;
  /** Starts background loops (timers) and listens; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** The composition root: store, core, HTTP. Tests build one per case with their own clock. */
export async function createBaton(cfg: RuntimeConfig, opts: { clock?: Clock; logger?: Logger } = {}): Promise<Baton> {
  const logger = opts.logger ?? pino({ level: cfg.logLevel, redact: { paths: ['req.headers.authorization', '*.apiKeys', '*.password', '*.secrets', '*.credentials'], censor: '[redacted]' } });
  const clock = opts.clock ?? systemClock;
  const store = openStore({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, ...(cfg.databaseSchema ? { schema: cfg.databaseSchema } : {}) });
  await store.migrate();
  await applyConfig(store, cfg.config ?? demoConfig());
  const router = new Router(store, clock);
  const queries = new Queries(store);
  const app = await buildServer({ store, router, queries, logger: cfg.logLevel === 'silent' ? false : logger, bodyLimit: cfg.bodyLimit, version: cfg.version });

  let timer: NodeJS.Timeout | null = null;
  let ticking = false;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    try {
      while ((await router.runDueTimers(100)) === 100);
    } catch (err) {
      logger.warn({ err }, 'timer run failed; retrying on the next tick');
    } finally {
      ticking = false;
    }
  };

  return {
    app,
    store,
    router,
    queries,
    logger,
    async listen() {
      const address = await app.listen({ port: cfg.port, host: cfg.host });
      if (cfg.timerIntervalMs > 0) timer = setInterval(() => void tick(), cfg.timerIntervalMs);
      return address;
    },
    async close() {
      if (timer) clearInterval(timer);
      await app.close();
      await store.close();
    },
  };
}
