import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { applyConfig } from './config/apply-config.js';
import { demoConfig } from './config/demo-config.js';
import type { NormalizedConfig } from './config/load-config.js';
import { type Clock, systemClock } from './core/clock.js';
import { Queries } from './core/queries.js';
import { Router } from './core/router.js';
import { DeliveryAdmin } from './delivery/delivery-admin.js';
import { HttpSender } from './delivery/http-sender.js';
import { DeliveryMetrics } from './delivery/metrics.js';
import { OutboxDispatcher } from './delivery/outbox-dispatcher.js';
import { OutboxStore } from './delivery/outbox-store.js';
import { rendererFor } from './dialects/registry.js';
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
  /** Run the outbox dispatcher in this process (off only for tests that drive it by hand). */
  dispatch: boolean;
  delivery: { batch: number; leaseMs: number; pollMs: number; connectionsPerEndpoint: number };
}

export const DEFAULT_DELIVERY = Object.freeze({ batch: 64, leaseMs: 60_000, pollMs: 1000, connectionsPerEndpoint: 16 });

export interface Baton {
  app: FastifyInstance;
  store: KyselyStore;
  router: Router;
  queries: Queries;
  dispatcher: OutboxDispatcher;
  deliveries: DeliveryAdmin;
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
  const outbox = new OutboxStore(store);
  const sender = new HttpSender({ connectionsPerEndpoint: cfg.delivery.connectionsPerEndpoint, connectTimeoutMs: 5000 });
  const metrics = new DeliveryMetrics(store);
  const dispatcher = new OutboxDispatcher(outbox, sender, rendererFor, clock, { batch: cfg.delivery.batch, leaseMs: cfg.delivery.leaseMs, pollMs: cfg.delivery.pollMs, maxPerClaim: 50 }, metrics, logger, async (o) => {
    await router.command(o.accountId, o.conversationId, { type: 'message_status', messageId: o.messageId, componentId: o.componentId, status: o.status, ...(o.description ? { description: o.description } : {}) });
  });
  const notifier = store.capabilities.notifier?.();
  const newWork = () => {
    dispatcher.wake();
    notifier?.notify();
  };
  router.onCommit(newWork);
  const deliveries = new DeliveryAdmin(store, outbox, sender, rendererFor, clock, newWork);
  const app = await buildServer({ store, router, queries, deliveries, metrics: metrics.registry, logger: cfg.logLevel === 'silent' ? false : logger, bodyLimit: cfg.bodyLimit, version: cfg.version });

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
    dispatcher,
    deliveries,
    logger,
    async listen() {
      // The configuration may have given endpoints to recipients that had none: let them try again.
      const now = clock.now().toISOString();
      for (const account of await store.listAccounts()) {
        await outbox.unpark(account.id, 'component', null, ['no_endpoint'], now);
        await outbox.unpark(account.id, 'channel', null, ['no_endpoint'], now);
      }
      const address = await app.listen({ port: cfg.port, host: cfg.host });
      if (cfg.timerIntervalMs > 0) timer = setInterval(() => void tick(), cfg.timerIntervalMs);
      if (cfg.dispatch) {
        dispatcher.start();
        await notifier?.listen(() => dispatcher.wake());
      }
      return address;
    },
    async close() {
      if (timer) clearInterval(timer);
      await app.close();
      await dispatcher.stop();
      await notifier?.close();
      await sender.close();
      await store.close();
    },
  };
}
