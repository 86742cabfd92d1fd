import { createServer } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Queries } from '../core/queries.js';
import type { DeliveryAdmin } from '../delivery/delivery-admin.js';
import type { ReachabilityChecker } from '../delivery/reachability-checker.js';
import { channelInboundPath, componentInboundPath, DIALECTS } from '../dialects/index.js';
import type { DialectDeps } from '../edge-kit/dialect-module.js';
import { ErrorSchema, installErrorRenderer } from '../edge-kit/errors.js';
import { strictJsonParser } from '../edge-kit/json-body.js';
import type { CustomerData } from '../core/customer-data.js';
import type { Files } from '../core/files.js';
import type { Router } from '../core/router.js';
import type { Store } from '../core/ports.js';
import { type BrowserDeps, browserRoutes } from './browser-routes.js';
import { clientErrorHandler, installErrorHandler, pathErrorHandler } from './error-handler.js';
import { actorHook } from './actor.js';
import { metricsAccess } from './metrics-access.js';
import { healthRoutes } from './health.js';
import { fileRoutes } from './file-routes.js';
import { type RateLimit, rateLimiter } from './rate-limit.js';
import { type AuthFailureLimits, AuthThrottle } from './auth-throttle.js';
import { securityHeaders } from './security-headers.js';
import { validatorCompiler } from './validation.js';
import { installRequestSpans, tagDialect } from './request-spans.js';
import { tracer } from '../core/tracing.js';

export interface ServerDeps {
  /** Rate limit, failed authentications taken (default AUTH_FAILURE_LIMITS) and how long a client may take to send its headers. */
  limits: { rateLimit: RateLimit; authFailures?: AuthFailureLimits; headersTimeoutMs: number };
  store: Store;
  router: Router;
  queries: Queries;
  /** Exports and erasure of customers' data. */
  customerData: CustomerData;
  /** Uploaded files: stored, checked and served. */
  files: Files;
  deliveries: DeliveryAdmin;
  /** Checks a channel's server when the channel is switched on. */
  reachability: ReachabilityChecker;
  metrics: Registry;
  /** Where components and channels are reached, with the tokens of the configuration at hand (applyConfig); from the store alone when absent. */
  addresses?: DialectDeps['addresses'];
  logger: Logger | false;
  bodyLimit: number;
  /** See RuntimeConfig.trustProxy and RuntimeConfig.metricsToken. */
  metricsToken?: string;
  trustProxy?: boolean | number | string;
  version: string;
  /** The inbox, the web chat and their pages (absent: API only). */
  browser?: Omit<BrowserDeps, 'store' | 'router' | 'queries' | 'deliveries' | 'files' | 'throttle' | 'addresses'>;
}

/** Wires every route, the error shape and the OpenAPI document into one Fastify instance. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    ...(deps.logger === false ? { logger: false } : { loggerInstance: deps.logger }),
    bodyLimit: deps.bodyLimit,
    // Behind a trusted proxy the client's address and scheme are the proxy's headers: throttles
    // count real clients, and the inbox cookie is Secure when the browser came over TLS.
    // (Fastify takes a hop count too, which its types leave out.)
    trustProxy: (deps.trustProxy ?? false) as boolean | string,
    // Slow-loris clients trickling their headers are cut off: Node checks open connections every
    // `connectionsCheckingInterval`, so it must be short for the headers timeout to bite.
    serverFactory: (handler: Parameters<typeof createServer>[1]) =>
      createServer({ headersTimeout: deps.limits.headersTimeoutMs, requestTimeout: 30_000, connectionsCheckingInterval: Math.min(1000, deps.limits.headersTimeoutMs) }, handler),
    // Slow clients that never finish their headers or body are cut off instead of holding sockets.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 72_000,
    // Longer than any id the schemas take (200 characters, percent-encoded), so those reach their route and its answer.
    routerOptions: { maxParamLength: 1000 },
    clientErrorHandler,
    frameworkErrors: pathErrorHandler(DIALECTS.flatMap((d) => d.routes.flatMap((r) => (r.errors ? [{ prefix: `${r.prefix}/`, errors: r.errors }] : [])))),
  }) as unknown as FastifyInstance;
  // Only with tracing on: otherwise no hook, and a request costs nothing more.
  if (tracer) installRequestSpans(app, tracer);
  const limiter = rateLimiter(deps.limits.rateLimit);
  app.addHook('onRequest', limiter.onRequest);
  app.addHook('onResponse', limiter.onResponse);
  // Every scope that takes credentials: a locked address may not present one, and a refused one
  // counts. Not the inbox and the web chat, which authenticate by session and visitor token.
  const throttle = new AuthThrottle(deps.limits.authFailures);
  const throttled = (scope: FastifyInstance) => {
    scope.addHook('onRequest', throttle.onRequest);
    scope.addHook('onResponse', throttle.onResponse);
  };
  app.decorateRequest('actor', '');
  app.addHook('onRequest', actorHook);
  app.addHook('onSend', securityHeaders);
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandler(app);
  // Every scope starts from this JSON parser: UTF-8 only, nested at most MAX_JSON_DEPTH deep.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(app));
  app.addSchema(ErrorSchema);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Baton API', version: deps.version, description: 'Baton routes conversations between customer channels, chatbots and human agent desks. Authenticate with `Authorization: Bearer <API key>`.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', logLevel: 'warn', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true }, logLevel: 'warn' }, async () => app.swagger());

  // Per-request access lines would drown the logs at message rates; errors are still logged.
  await app.register(healthRoutes, { store: deps.store, logLevel: 'warn' });
  // Agents' inboxes and web chat visitors get live updates over WebSocket.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const dialectDeps: DialectDeps = {
    router: deps.router,
    queries: deps.queries,
    customerData: deps.customerData,
    files: deps.files,
    deliveries: deps.deliveries,
    reachability: deps.reachability,
    metrics: deps.metrics,
    addresses: deps.addresses ?? { component: componentInboundPath, channel: channelInboundPath },
    ...(deps.browser ? { browser: { live: deps.browser.live, clock: deps.browser.clock } } : {}),
  };
  for (const [dialect, route] of DIALECTS.flatMap((d) => d.routes.map((r) => [d.name, r] as const))) {
    if (route.browser && !deps.browser) continue;
    await app.register(async (scope) => {
      if (tracer) tagDialect(scope, dialect);
      if (route.throttled) throttled(scope);
      if (route.errors) installErrorRenderer(scope, route.errors);
      await route.register(scope, dialectDeps);
    }, { prefix: route.prefix, logLevel: 'warn' });
  }
  // Bots and channels fetch files with no credential of Baton's: the file's id is the capability.
  await app.register(async (scope) => fileRoutes(scope, { files: deps.files }));
  if (deps.browser) await browserRoutes(app, { ...deps.browser, store: deps.store, router: deps.router, queries: deps.queries, deliveries: deps.deliveries, files: deps.files, throttle, addresses: dialectDeps.addresses });
  app.get('/metrics', { schema: { hide: true }, logLevel: 'warn' }, async (req, reply) => {
    metricsAccess(req, deps.metricsToken);
    void reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.metrics();
  });
  return app;
}
