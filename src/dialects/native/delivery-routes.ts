import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { DeliveryControl } from '../../delivery/ports.js';
import type { Queries } from '../../core/queries.js';
import { BatonError } from '../../core/errors.js';

const errors = { 400: Type.Ref('Error'), 401: Type.Ref('Error'), 404: Type.Ref('Error'), 409: Type.Ref('Error') };
const ComponentParams = Type.Object({ componentId: Type.String({ minLength: 1, maxLength: 200 }) });
const DeliveryParams = Type.Object({ deliveryId: Type.String({ minLength: 1, maxLength: 200 }) });
const ListQuery = Type.Object({
  targetKind: Type.Optional(Type.Union([Type.Literal('component'), Type.Literal('channel')])),
  targetId: Type.Optional(Type.String({ maxLength: 200 })),
  state: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
  conversationId: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const ReplayBody = Type.Object({ since: Type.String({ format: 'date-time', description: 'Replay every failed delivery of the component created at or after this instant.' }) }, { additionalProperties: false });

/** The delivery API: health, backlog, attempts, replay and re-verification of endpoints. */
export async function deliveryRoutes(app: FastifyInstance, deps: { admin: DeliveryControl; queries: Queries }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { admin, queries } = deps;

  api.get('/components/:componentId/health', {
    schema: { tags: ['delivery'], summary: 'A component\'s health: state, consecutive failures, last error, backlog, oldest pending age', params: ComponentParams, response: errors },
  }, async (req) => ({ health: await admin.health(req.accountId, req.params.componentId) }));

  api.post('/components/:componentId/verify', {
    schema: { tags: ['delivery'], summary: 'Send a verification request; on success the component is active again and its backlog drains in order', params: ComponentParams, response: errors },
  }, async (req) => {
    const result = await admin.verify(req.accountId, req.params.componentId, req.actor);
    if (!result.verified) throw new BatonError('verification_failed', `Verification of ${req.params.componentId} failed: ${result.reason}.`, { reason: result.reason });
    return { ...result, health: await admin.health(req.accountId, req.params.componentId) };
  });

  api.post('/components/:componentId/replay', {
    schema: { tags: ['delivery'], summary: 'Replay every failed delivery of the component since a time', params: ComponentParams, body: ReplayBody, response: errors },
  }, async (req) => {
    await queries.component(req.accountId, req.params.componentId);
    return { replayed: await admin.replay(req.accountId, { componentId: req.params.componentId, since: req.body.since }, req.actor) };
  });

  api.get('/deliveries', {
    schema: { tags: ['delivery'], summary: 'Deliveries by recipient, state and conversation, newest first', querystring: ListQuery, response: errors },
  }, async (req) => {
    const q = req.query;
    return { items: await admin.list(req.accountId, { limit: q.limit ?? 100, ...(q.targetKind ? { targetKind: q.targetKind } : {}), ...(q.targetId ? { targetId: q.targetId } : {}), ...(q.state ? { state: q.state } : {}), ...(q.conversationId ? { conversationId: q.conversationId } : {}) }) };
  });

  api.get('/deliveries/:deliveryId', {
    schema: { tags: ['delivery'], summary: 'A delivery with every attempt (status, latency, error)', params: DeliveryParams, response: errors },
  }, async (req) => ({ delivery: await admin.get(req.accountId, req.params.deliveryId) }));

  api.post('/deliveries/:deliveryId/replay', {
    schema: { tags: ['delivery'], summary: 'Replay one failed delivery', params: DeliveryParams, response: errors },
  }, async (req) => ({ replayed: await admin.replay(req.accountId, { id: req.params.deliveryId }, req.actor) }));
}
