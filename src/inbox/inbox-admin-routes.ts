import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Clock } from '../core/clock.js';
import { REPORT_PERIODS } from '../core/desk-figures.js';
import { HAND_BACK } from '../core/control-types.js';
import { BatonError } from '../core/errors.js';
import type { Channel, Component } from '../core/model.js';
import type { Queries } from '../core/queries.js';
import type { Router } from '../core/router.js';
import type { DeliveryControl } from '../delivery/ports.js';
import type { LiveBus } from '../live/live-bus.js';
import type { AgentAdmin } from './agent-admin.js';
import { inboxAdminAgentRoutes } from './inbox-admin-agent-routes.js';
import type { WidgetLookAdmin } from './widget-look-admin.js';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const IdParams = Type.Object({ id: Id });
const DeliveriesQuery = Type.Object({
  state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
  targetId: Type.Optional(Id),
});
const EmergencyBody = Type.Object({ on: Type.Boolean(), handBack: Type.Optional(Type.Union(HAND_BACK.map((v) => Type.Literal(v)))) }, { additionalProperties: false });
const Period = Type.Union([Type.Literal(REPORT_PERIODS.today), Type.Literal(REPORT_PERIODS.week), Type.Literal(REPORT_PERIODS.month)], { description: '`today` (since midnight UTC, the default), `7d` or `30d` (that many days back from now).' });
const ReportQuery = Type.Object({ period: Type.Optional(Period) });
const Ms = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);
const Report = Type.Object({
  period: Period,
  since: Type.String({ format: 'date-time' }),
  until: Type.String({ format: 'date-time' }),
  handedOver: Type.Integer(),
  taken: Type.Integer(),
  waitMedianMs: Ms,
  waitP90Ms: Ms,
  firstResponseMedianMs: Ms,
  agents: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), taken: Type.Integer(), closed: Type.Integer(), firstResponseMedianMs: Ms })),
  sampled: Type.Boolean(),
});

export interface AdminDeps {
  router: Router;
  queries: Queries;
  deliveries: DeliveryControl;
  live: LiveBus;
  /** Where "today" of the report starts (midnight UTC) and where every period ends. */
  clock: Clock;
  addresses: { component(c: Component): string | null; channel(c: Channel): string | null };
  agents: AgentAdmin;
  looks: WidgetLookAdmin;
}

/**
 * The inbox's admin pages, for agents marked `admin: true`: the same operations as the native
 * delivery and admin API (component health and verification, deliveries and replay, the
 * emergency switch, channels and their inbound addresses) and the desk's report, scoped to the
 * agent's account; and the agents and web chat look that baton.yaml leaves to the inbox
 * (inbox-admin-agent-routes.ts).
 */
export async function inboxAdminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { router, queries, deliveries, live } = deps;

  app.addHook('preHandler', async (req: FastifyRequest) => {
    const login = req.login!;
    const agent = await queries.agent(login.accountId, login.agentId);
    if (!agent.admin) throw new BatonError('forbidden', 'The admin pages are for admin agents (`admin: true` in baton.yaml, or the admin box on the admin page).');
  });
  await inboxAdminAgentRoutes(app, { agents: deps.agents, looks: deps.looks, live });

  api.get('/overview', { schema: { hide: true } }, async (req) => {
    const accountId = req.login!.accountId;
    const base = `${req.protocol}://${req.host}`;
    const [account, components, channels] = await Promise.all([queries.account(accountId), queries.components(accountId), queries.channels(accountId)]);
    const withBase = (p: string | null) => (p ? base + p : null);
    return {
      emergency: account.emergency,
      components: await Promise.all(components.map(async (c) => {
        const { secrets: _s, options: _o, ...rest } = c;
        return { ...rest, inboundUrl: withBase(deps.addresses.component(c)), health: await deliveries.health(accountId, c.id) };
      })),
      // Spread whole, credentials aside, so what the channel reports of itself (a `warning`) reaches the page.
      channels: channels.map((c) => {
        const { credentials: _c, ...rest } = c;
        return { ...rest, inboundUrl: withBase(deps.addresses.channel(c)) };
      }),
    };
  });

  api.get('/report', { schema: { hide: true, querystring: ReportQuery, response: { 200: Report } } }, async (req) => (
    queries.deskReport(req.login!.accountId, req.query.period ?? REPORT_PERIODS.today, deps.clock.now())
  ));

  api.post('/components/:id/verify', { schema: { hide: true, params: IdParams } }, async (req) => {
    const accountId = req.login!.accountId;
    const result = await deliveries.verify(accountId, req.params.id, req.actor);
    return { ...result, health: await deliveries.health(accountId, req.params.id) };
  });

  api.get('/deliveries', { schema: { hide: true, querystring: DeliveriesQuery } }, async (req) => {
    const q = req.query;
    return { items: await deliveries.list(req.login!.accountId, { limit: 100, ...(q.state ? { state: q.state } : {}), ...(q.targetId ? { targetId: q.targetId } : {}) }) };
  });

  api.get('/deliveries/:id', { schema: { hide: true, params: IdParams } }, async (req) => ({ delivery: await deliveries.get(req.login!.accountId, req.params.id) }));

  api.post('/deliveries/:id/replay', { schema: { hide: true, params: IdParams } }, async (req) => ({ replayed: await deliveries.replay(req.login!.accountId, { id: req.params.id }, req.actor) }));

  api.post('/emergency', { schema: { hide: true, body: EmergencyBody } }, async (req) => {
    const accountId = req.login!.accountId;
    const { on, handBack } = req.body;
    const result = await router.setEmergency(accountId, on, req.actor, handBack);
    await live.publish({ accountId, topic: 'agents' }).catch(() => {});
    return { emergency: on, ...(on ? {} : { handBack: handBack ?? 'tell_bots' }), ...result };
  });
}
