import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { Store } from '../core/ports.js';
import type { Queries } from '../core/queries.js';
import type { Router } from '../core/router.js';
import type { DemoBot } from '../demo-bot/demo-bot.js';
import type { DeliveryAdmin } from '../delivery/delivery-admin.js';
import type { Files } from '../core/files.js';
import type { DialectDeps } from '../edge-kit/dialect-module.js';
import { AgentAdmin } from '../inbox/agent-admin.js';
import { AgentHub } from '../inbox/agent-hub.js';
import { inboxAdminRoutes } from '../inbox/inbox-admin-routes.js';
import { sessionAuth } from '../inbox/inbox-auth.js';
import { inboxLoginRoutes, OPEN_PATHS } from '../inbox/inbox-login-routes.js';
import { inboxRoutes } from '../inbox/inbox-routes.js';
import { WidgetLookAdmin } from '../inbox/widget-look-admin.js';
import type { ConversationSearch } from '../inbox/conversation-search.js';
import type { LoginSessions } from '../inbox/login-sessions.js';
import type { LiveBus } from '../live/live-bus.js';
import type { AuthThrottle } from './auth-throttle.js';
import { uiPages } from './ui-pages.js';

export interface BrowserDeps {
  /** Reads for the login and pages; the admin page's agents and web chat look write through it too. */
  store: Store;
  router: Router;
  queries: Queries;
  deliveries: DeliveryAdmin;
  files: Files;
  /** Counts failed logins; shared with the hooks that count refused credentials. */
  throttle: AuthThrottle;
  live: LiveBus;
  sessions: LoginSessions;
  /** The inbox's search and a customer's other conversations. */
  search: ConversationSearch;
  clock: Clock;
  uiDir: string;
  /** The demo account's bot, served here when Baton runs the demo. */
  demoBot: DemoBot | null;
  addresses: DialectDeps['addresses'];
  /** How long an agent's inbox may stay closed before they are set offline. */
  awayAfterMs?: number;
}

/** What people use in a browser: the inbox (agents) and the pages; the web chat's API is its dialect's (dialects/webchat). */
export async function browserRoutes(app: FastifyInstance, deps: BrowserDeps): Promise<void> {
  const { router, queries, live, clock } = deps;
  const agents = new AgentHub(live, async (accountId, agentId) => {
    await router.setPresence(accountId, agentId, 'offline');
    await live.publish({ accountId, topic: 'agents' });
  }, deps.awayAfterMs);
  app.addHook('onClose', async () => agents.close());

  await app.register(async (scope) => {
    scope.addHook('onRequest', sessionAuth(deps.sessions, clock, { open: OPEN_PATHS }));
    await inboxLoginRoutes(scope, { store: deps.store, sessions: deps.sessions, router, live, clock, throttle: deps.throttle });
    await inboxRoutes(scope, { router, queries, live, hub: agents, search: deps.search, files: deps.files });
    await scope.register(async (admin) => inboxAdminRoutes(admin, { router, queries, live, clock, deliveries: deps.deliveries, addresses: deps.addresses, agents: new AgentAdmin(deps.store, clock), looks: new WidgetLookAdmin(deps.store, clock) }), { prefix: '/admin' });
  }, { prefix: '/inbox/api', logLevel: 'warn' });
  if (deps.demoBot) {
    const bot = deps.demoBot;
    await app.register(async (scope) => bot.routes(scope), { prefix: '/demo-bot', logLevel: 'warn' });
  }
  await app.register(async (scope) => uiPages(scope, { uiDir: deps.uiDir, queries, store: deps.store }), { logLevel: 'warn' });
}
