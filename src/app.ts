import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { applyConfig } from './config/apply-config.js';
import type { InboundAddresses } from './config/inbound-secrets.js';
import { DEMO_API_KEY, DEMO_BOT, demoConfig } from './config/demo-config.js';
import { type NormalizedConfig, configWarnings } from './config/load-config.js';
import { type Clock, systemClock } from './core/clock.js';
import { Queries } from './core/queries.js';
import { CustomerData } from './core/customer-data.js';
import { Files } from './core/files.js';
import { Router } from './core/router.js';
import { RetentionJob } from './core/retention-job.js';
import { DeliveryAdmin } from './delivery/delivery-admin.js';
import { HttpSender } from './delivery/http-sender.js';
import { DeliveryMetrics } from './delivery/metrics.js';
import { OutboxDispatcher } from './delivery/outbox-dispatcher.js';
import { OutboxStore } from './store/outbox-store.js';
import { ReachabilityChecker } from './delivery/reachability-checker.js';
import { rendererLookup } from './dialects/index.js';
import { DemoBot } from './demo-bot/demo-bot.js';
import { InboxSearchStore } from './store/inbox-search.js';
import { SessionStore } from './store/login-sessions.js';
import { LocalLiveBus } from './live/live-bus.js';
import type { RateLimit } from './http/rate-limit.js';
import type { AuthFailureLimits } from './http/auth-throttle.js';
import type { AddressPolicy } from './delivery/address-policy.js';
import { batonLogger } from './http/baton-logger.js';
import { buildServer } from './http/server.js';
import type { KyselyStore } from './store/kysely-store.js';
import { openStore } from './store/open-store.js';
import type { SqliteSync } from './store/sqlite/sqlite-store.js';
import { KyselyRetention } from './store/retention-store.js';

/** Everything `baton start` needs, read once from flags and environment by the CLI and frozen. */
export interface RuntimeConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  /** PostgreSQL schema to live in (tests, several Batons on one database). */
  databaseSchema?: string;
  /** SQLite's commit durability (BATON_SQLITE_SYNC); `normal` when absent. */
  sqliteSync?: SqliteSync;
  /** null: the demo account. */
  config: NormalizedConfig | null;
  logLevel: string;
  bodyLimit: number;
  /** Rate limit (0 = off), failed authentications taken (default AUTH_FAILURE_LIMITS) and the headers timeout that cuts off slow clients. */
  limits: { rateLimit: RateLimit; authFailures?: AuthFailureLimits; headersTimeoutMs: number };
  /** Which addresses webhooks may call (link-local and metadata never). */
  addresses: AddressPolicy;
  /**
   * Proxies in front of Baton whose X-Forwarded-For and X-Forwarded-Proto are believed: true (any),
   * a hop count, or addresses and CIDRs. Off by default: a client could claim any address.
   */
  trustProxy?: boolean | number | string;
  /** Required as `Authorization: Bearer` on /metrics; without it /metrics answers loopback clients only. */
  metricsToken?: string;
  timerIntervalMs: number;
  version: string;
  /** Run the outbox dispatcher in this process (off only for tests that drive it by hand). */
  dispatch: boolean;
  delivery: { batch: number; leaseMs: number; pollMs: number; connectionsPerEndpoint: number };
}

/** The retention job runs this long after start, then at this interval (README "Retention"). */
const RETENTION_FIRST_MS = 60_000;
const RETENTION_EVERY_MS = 15 * 60_000;

/** How often channels whose server did not answer at the last check are checked again. */
const RECHECK_MS = 60_000;

/** The built pages (`vite build`), beside the compiled server in dist/. */
const UI_DIR = fileURLToPath(new URL('../dist/ui/', import.meta.url));

/** Where a process reaches itself: a wildcard listen address is reached on loopback. */
function loopbackHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export const DEFAULT_DELIVERY = Object.freeze({ batch: 64, leaseMs: 60_000, pollMs: 1000, connectionsPerEndpoint: 16 });

export interface Baton {
  app: FastifyInstance;
  store: KyselyStore;
  router: Router;
  queries: Queries;
  dispatcher: OutboxDispatcher;
  deliveries: DeliveryAdmin;
  /** Checks channels' servers: on activation, at start, and again while a warning stands. */
  reachability: ReachabilityChecker;
  /** Deletes what the accounts' retention says is old; runs in the background while timers run. */
  retention: RetentionJob;
  logger: Logger;
  /** Where components and channels are reached, with the tokens of the configuration applied at start. */
  addresses: InboundAddresses;
  /** Starts background loops (timers) and listens; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** The composition root: store, core, HTTP. Tests build one per case with their own clock. */
export async function createBaton(cfg: RuntimeConfig, opts: { clock?: Clock; logger?: Logger } = {}): Promise<Baton> {
  const logger = opts.logger ?? batonLogger(cfg.logLevel);
  const clock = opts.clock ?? systemClock;
  const store = openStore({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, ...(cfg.databaseSchema ? { schema: cfg.databaseSchema } : {}), ...(cfg.sqliteSync ? { sqliteSync: cfg.sqliteSync } : {}) });
  await store.migrate();
  const applied = await applyConfig(store, cfg.config ?? demoConfig(), { demo: !cfg.config });
  if (cfg.config) for (const w of configWarnings(cfg.config)) logger.warn(w);
  for (const t of applied.takenOver) logger.info(`baton.yaml now owns agent(s) ${t.agentIds.map((id) => `"${id}"`).join(', ')} of account "${t.accountId}", added earlier on the inbox's admin page`);
  const router = new Router(store, clock, { writeConcurrency: store.capabilities.writeConcurrency });
  const queries = new Queries(store);
  const outbox = new OutboxStore(store);
  const sender = new HttpSender({ connectionsPerEndpoint: cfg.delivery.connectionsPerEndpoint, connectTimeoutMs: 5000, addresses: cfg.addresses });
  const metrics = new DeliveryMetrics(outbox);
  metrics.watchPacing(router.pacing);
  // The inbox and web chat visitors are served in-process: their deliveries push to browsers.
  const live = store.capabilities.liveBus?.() ?? new LocalLiveBus();
  const renderers = rendererLookup({ live });
  const dispatcher = new OutboxDispatcher(outbox, sender, renderers, clock, { batch: cfg.delivery.batch, leaseMs: cfg.delivery.leaseMs, pollMs: cfg.delivery.pollMs, maxPerClaim: 50 }, metrics, logger, async (o) => {
    await router.command(o.accountId, o.conversationId, { type: 'message_status', messageId: o.messageId, componentId: o.componentId, status: o.status, ...(o.description ? { description: o.description } : {}) }, undefined, { actor: 'system', priority: 'internal' });
  });
  dispatcher.onBotFailure({
    unreachable: async (o) => void (await router.command(o.accountId, o.conversationId, { type: 'bot_failover', botId: o.botId, reason: o.reason }, undefined, { actor: 'system', priority: 'internal' })),
    deadline: (o) => router.scheduleBotFailover(o.accountId, o.conversationId, o.deliveryId, o.dueAt),
  });
  const notifier = store.capabilities.notifier?.();
  const newWork = () => {
    dispatcher.wake();
    notifier?.notify();
  };
  router.setIntake({ lease: (urgent) => dispatcher.lease(urgent), accept: (leased, lease) => dispatcher.accept(leased, lease), pending: (written) => {
    outbox.remember(written);
    newWork();
  } });
  const reachability = new ReachabilityChecker(store, sender, renderers, clock, logger);
  const deliveries = new DeliveryAdmin(store, outbox, sender, renderers, clock, newWork);
  const demoBot = cfg.config ? null : new DemoBot({ componentId: DEMO_BOT.id, secret: DEMO_BOT.secret, apiKey: DEMO_API_KEY, clock });
  const app = await buildServer({ store, router, queries, customerData: new CustomerData(store, clock), files: new Files(store, clock), deliveries, reachability, addresses: applied.addresses, metrics: metrics.registry, logger: cfg.logLevel === 'silent' ? false : logger, bodyLimit: cfg.bodyLimit, limits: cfg.limits, ...(cfg.trustProxy !== undefined ? { trustProxy: cfg.trustProxy } : {}), ...(cfg.metricsToken ? { metricsToken: cfg.metricsToken } : {}), version: cfg.version, browser: { live, sessions: new SessionStore(store), search: new InboxSearchStore(store), clock, uiDir: UI_DIR, demoBot } });

  const retention = new RetentionJob(new KyselyRetention(store), clock);
  const runRetention = () => void retention.run().then((runs) => {
    for (const r of runs) if (Object.values(r.deleted).some((n) => n > 0)) logger.info({ account: r.accountId, deleted: r.deleted }, 'retention deleted old rows');
  }, (err: unknown) => logger.warn({ err }, 'the retention job failed; it runs again at its next interval'));
  const retentionTimers: NodeJS.Timeout[] = [];
  let timer: NodeJS.Timeout | null = null;
  let recheckTimer: NodeJS.Timeout | null = null;
  // One run of channel checks at a time; close() waits for the one under way.
  let checking: Promise<void> = Promise.resolve();
  const recheck = (warnedOnly: boolean) => {
    checking = checking.then(() => reachability.checkAll({ warnedOnly })).catch((err: unknown) => logger.warn({ err }, 'checking channels failed'));
  };
  let resuming: Promise<void> = Promise.resolve();
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
    reachability,
    retention,
    logger,
    addresses: applied.addresses,
    async listen() {
      // The configuration may have given endpoints to recipients that had none: let them try again.
      const now = clock.now().toISOString();
      for (const account of await store.listAccounts()) {
        await outbox.unpark(account.id, 'component', null, ['no_endpoint'], now);
        await outbox.unpark(account.id, 'channel', null, ['no_endpoint'], now);
      }
      await live.start();
      const address = await app.listen({ port: cfg.port, host: cfg.host });
      if (demoBot) {
        // The demo bot listens on Baton's own port, known only now: point its component at it.
        const base = `http://${loopbackHost(cfg.host)}:${(app.server.address() as AddressInfo).port}`;
        demoBot.setApiBase(base);
        await applyConfig(store, demoConfig({ botUrl: `${base}/demo-bot/webhook` }));
        queries.forgetCredentials();
        await outbox.unpark('demo', 'component', DEMO_BOT.id, ['no_endpoint'], clock.now().toISOString());
      }
      // "Click Verify and then Save" (IMI): endpoints the configuration set up are asked before the
      // dispatcher starts, so what they hold goes out in order once they pass, or waits for a verify.
      for (const r of await deliveries.verifyConfigured(applied.toVerify)) {
        if (!r.verified) logger.warn({ account: r.accountId, component: r.componentId, reason: r.reason }, 'the component did not pass verification; its deliveries wait for POST /v1/components/{id}/verify');
      }
      if (cfg.timerIntervalMs > 0) timer = setInterval(() => void tick(), cfg.timerIntervalMs);
      // Channels' servers are checked at start, in the background, and those that did not answer
      // again every minute until they do, so a warning does not outlive the outage it reports.
      recheck(false);
      if (cfg.timerIntervalMs > 0) recheckTimer = setInterval(() => recheck(true), RECHECK_MS);
      if (cfg.timerIntervalMs > 0) retentionTimers.push(setTimeout(runRetention, RETENTION_FIRST_MS), setInterval(runRetention, RETENTION_EVERY_MS));
      if (cfg.dispatch) {
        dispatcher.start();
        await notifier?.listen(() => dispatcher.wake());
      }
      // An emergency sweep a crash cut short goes on from where it stopped, in the background.
      resuming = router.resumeSweeps().then((n) => {
        if (n > 0) logger.info({ sweeps: n }, 'resumed emergency sweeps cut short by a stop');
      }, (err: unknown) => logger.warn({ err }, 'resuming an emergency sweep failed; it resumes at the next start'));
      return address;
    },
    async close() {
      if (timer) clearInterval(timer);
      if (recheckTimer) clearInterval(recheckTimer);
      for (const t of retentionTimers) clearTimeout(t);
      await app.close();
      await retention.stop();
      await checking;
      await resuming;
      await dispatcher.stop();
      await live.close();
      await notifier?.close();
      await sender.close();
      await store.close();
    },
  };
}
