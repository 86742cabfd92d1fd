import type { FastifyInstance } from 'fastify';
import type { Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import { cmBmProxyRoutes } from './cm-bmproxy-routes.js';
import { cmChannelRoutes } from './cm-channel-routes.js';
import { cmControlRoutes } from './cm-control-routes.js';

/**
 * Everything CM traffic calls, under `/conversational` (registered with that prefix): the BMProxy
 * (answers in CM's own shape, so it has its own error handler), the control API, and the MO
 * webhooks of `cm` channels. Each part is its own scope: their body parsers and error handlers
 * differ and must not leak into each other.
 */
export async function cmRoutes(app: FastifyInstance, deps: { router: Router; queries: Queries }): Promise<void> {
  await app.register(async (scope) => cmBmProxyRoutes(scope, deps), { prefix: '/bmproxy/v1' });
  await app.register(async (scope) => cmControlRoutes(scope, deps), { prefix: '/control/v1' });
  await app.register(async (scope) => cmChannelRoutes(scope, deps), { prefix: '/channels' });
}
