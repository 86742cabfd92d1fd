import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { SqlCounters } from '../sql-counters.js';

const PATCHED = Symbol('baton.prepared');

type Query = (text: unknown, values?: unknown) => Promise<unknown>;

/**
 * Turns every parameterised query into a named prepared statement, so PostgreSQL parses and plans
 * each of Baton's few dozen SQL texts once per connection instead of on every message. The name
 * is a digest of the text, so the same text always finds its statement again.
 */
const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `b_${createHash('sha1').update(text).digest('base64url').slice(0, 16)}`;
    if (names.size < 2000) names.set(text, name);
  }
  return name;
}

export function preparedPool(pool: pg.Pool, counters: SqlCounters): { connect(): Promise<pg.PoolClient>; end(): Promise<void> } {
  return {
    end: () => pool.end(),
    async connect() {
      const client = (await pool.connect()) as pg.PoolClient & { [PATCHED]?: true };
      if (!client[PATCHED]) {
        const query = client.query.bind(client) as Query;
        (client as unknown as { query: Query }).query = (text: unknown, values?: unknown) => {
          if (typeof text === 'string') counters.count(text);
          if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
            return query({ name: nameOf(text), text, values });
          }
          return query(text, values);
        };
        // A checked-out client has no error listener of the pool's: a server that dies (SIGKILL,
        // failover) between two statements of a transaction would otherwise take the process down.
        // The statement in flight fails by itself; the pool drops the broken client on release.
        client.on('error', () => {});
        client[PATCHED] = true;
      }
      return client;
    },
  };
}
