import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import type { SqlCounters } from '../sql-counters.js';

/**
 * Kysely prepares every query anew; preparing is a large share of a short query's cost in SQLite.
 * The same handful of SQL texts run for every message, so their prepared statements are kept and
 * reused (bounded, least recently used first out).
 */
export function withStatementCache(db: BetterSqlite3.Database, counters: SqlCounters, capacity = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sql: string): SqliteStatement {
      // Kysely prepares right before it executes, once per execution: counting here counts runs.
      counters.count(sql);
      const hit = cache.get(sql);
      if (hit) {
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = db.prepare(sql) as unknown as SqliteStatement;
      cache.set(sql, stmt);
      if (cache.size > capacity) cache.delete(cache.keys().next().value!);
      return stmt;
    },
    close(): void {
      cache.clear();
      db.close();
    },
  };
}
