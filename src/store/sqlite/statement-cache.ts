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
  const rollback = db.prepare('rollback');
  // SQLite rolls a transaction back by itself when its commit fails for want of space
  // (SQLITE_FULL); Kysely's rollback after that would fail with "no transaction is active" and
  // replace the error that says what happened.
  const rollbackIfActive = {
    reader: false,
    all: () => [],
    run: () => (db.inTransaction ? rollback.run() : { changes: 0, lastInsertRowid: 0 }),
  } as unknown as SqliteStatement;
  return {
    prepare(sql: string): SqliteStatement {
      // Kysely prepares right before it executes, once per execution: counting here counts runs.
      counters.count(sql);
      if (sql === 'rollback') return rollbackIfActive;
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
