import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { KyselyStore } from '../kysely-store.js';
import { PgLiveBus } from './pg-live-bus.js';
import { PgNotifier } from './pg-notifier.js';
import { preparedPool } from './prepared-pool.js';
import { SqlCounters } from '../sql-counters.js';
import { StatementBook } from '../statement-book.js';
import { SchemaScopedPostgresDialect } from './schema-scoped-dialect.js';
import type { Database } from '../schema.js';

/** Long enough for a server under load to fork a backend, short enough for a load balancer to act. */
const CONNECT_TIMEOUT_MS = 5000;

export interface PostgresOptions {
  url: string;
  /** A schema to live in (created by `migrate` if missing); tests get a fresh one each. */
  schema?: string;
  poolSize?: number;
}

/**
 * The scale-out store: any number of Baton processes share one database and coordinate through
 * row locks. 23505 (unique), 40001 (serialization) and 40P01 (deadlock) mean another writer won;
 * 53100 (disk_full) that the database's disk is full (store/disk-full.ts: a 503, `store_full`).
 */
export function openPostgresStore(opts: PostgresOptions): KyselyStore {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    // A server that takes a connection and never answers (a host gone dark, a hung failover)
    // would otherwise hold every request, and /readyz, for as long as TCP waits: this makes it an
    // outage (503 store_unavailable) in seconds. Keepalives find a dead peer under an idle connection.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // A dropped connection (a database restart) must not take the process down; the pool reconnects.
  pool.on('error', () => {});
  const schema = opts.schema;
  const counters = new SqlCounters();
  const prepared = preparedPool(pool, counters);
  const kysely = new Kysely<Database>({ dialect: schema ? new SchemaScopedPostgresDialect({ pool: prepared }, schema) : new PostgresDialect({ pool: prepared }) });
  return new KyselyStore(kysely, {
    engine: 'postgres',
    counters,
    statements: new StatementBook(),
    rowLocks: true,
    writeConcurrency: Math.max(1, (opts.poolSize ?? 10) - 2),
    conflictCodes: ['23505', '40001', '40P01'],
    // Taking a transaction id makes the commit write a WAL record, as any write does; no table is touched.
    writeProbe: async (k) => void (await k.transaction().execute((trx) => sql`select txid_current()`.execute(trx))),
    notifier: () => new PgNotifier(opts.url, `baton_outbox_${schema ?? 'public'}`, kysely),
    liveBus: () => new PgLiveBus(opts.url, `baton_live_${schema ?? 'public'}`, kysely),
    ...(schema ? { migrationSchema: schema, beforeMigrate: async (db: Kysely<Database>) => void (await sql`create schema if not exists ${sql.id(schema)}`.execute(db)) } : {}),
  });
}
