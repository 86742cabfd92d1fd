import type { FastifyInstance } from 'fastify';
import type { Store } from '../core/ports.js';
import { errorBody } from '../edge-kit/errors.js';

/** `/healthz`: the process answers. `/readyz`: the store answers and its schema is current. */
export async function healthRoutes(app: FastifyInstance, opts: { store: Store }): Promise<void> {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['health'], summary: 'The store is reachable and migrated' } }, async (_req, reply) => {
    try {
      await opts.store.ping();
      const pending = await opts.store.pendingMigrations();
      if (pending.length > 0) return reply.status(503).send(errorBody('store_unavailable', `Migrations not applied: ${pending.join(', ')}. Run \`baton migrate\`.`));
      return { status: 'ready', engine: opts.store.engine };
    } catch (err) {
      return reply.status(503).send(errorBody('store_unavailable', `The store cannot be reached: ${(err as Error).message}`));
    }
  });
}
