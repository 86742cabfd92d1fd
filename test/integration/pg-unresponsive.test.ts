import { createServer, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { isStoreOutage } from '../../src/edge-kit/errors.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';

/**
 * A PostgreSQL address that takes the connection and never says a word (a host gone dark behind
 * a proxy, a failover that hangs): the store gives up within its connect timeout, as an outage
 * (503 store_unavailable), instead of holding the request and `/readyz` for as long as TCP waits.
 */
describe('a PostgreSQL server that never answers', () => {
  const held = new Set<Socket>();
  const silent = createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('is an outage within seconds', async () => {
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const store = openPostgresStore({ url: `postgres://postgres@127.0.0.1:${port}/test` });
    const started = Date.now();
    const err = await store.ping().then(() => null, (e: unknown) => e);
    const took = Date.now() - started;
    await store.close().catch(() => {});
    expect(err, 'ping succeeded against a server that says nothing').not.toBeNull();
    expect(isStoreOutage(err), String(err)).toBe(true);
    expect(took).toBeLessThan(8000);
  }, 15_000);
});
