import type { FastifyInstance } from 'fastify';
import type { Store } from '../core/ports.js';
import { DISK_FULL_RETRY_AFTER_SECONDS } from '../core/disk-full.js';
import { errorBody, STORE_OUTAGE_RETRY_AFTER_SECONDS, storeOutageError } from '../edge-kit/errors.js';

/** A store that can tell whether its writes fail for want of disk space (KyselyStore). */
type ReadyStore = Store & { writeFault?: () => Promise<string | null> };

/**
 * `/healthz`: the process answers. `/readyz`: the store answers, its schema is current, and its
 * last commit did not fail for want of disk space (or space has come back since).
 */
export async function healthRoutes(app: FastifyInstance, opts: { store: ReadyStore }): Promise<void> {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['health'], summary: 'The store is reachable and migrated' } }, async (_req, reply) => {
    try {
      await opts.store.ping();
      const pending = await opts.store.pendingMigrations();
      if (pending.length > 0) return reply.status(503).send(errorBody('store_unavailable', `Migrations not applied: ${pending.join(', ')}. Run \`baton migrate\`.`));
      const fault = await opts.store.writeFault?.();
      if (fault) return reply.status(503).header('retry-after', String(DISK_FULL_RETRY_AFTER_SECONDS)).send(errorBody('store_full', fault, { retryAfterSeconds: DISK_FULL_RETRY_AFTER_SECONDS }));
      return { status: 'ready', engine: opts.store.engine };
    } catch (err) {
      const outage = storeOutageError(`The store cannot be reached: ${(err as Error).message}`);
      return reply.status(503).header('retry-after', String(STORE_OUTAGE_RETRY_AFTER_SECONDS)).send(errorBody(outage.code, outage.message, outage.details));
    }
  });
}
