import { type DatabaseIntrospector, type Kysely, PostgresDialect, type PostgresDialectConfig, PostgresIntrospector, type SchemaMetadata, sql, type TableMetadata } from 'kysely';

/**
 * Kysely's Migrator asks the introspector for every table of the database to learn whether its
 * own bookkeeping tables exist. PostgreSQL's stock introspector answers with a query that calls
 * `has_schema_privilege(nspname, …)` on every schema, which fails with `schema "…" does not
 * exist` whenever another connection drops a schema meanwhile (tests and several Batons on one
 * database do, each in its own schema). Baton lives in one schema, so it only looks there, by
 * catalogue joins that no concurrent drop can break.
 */
class SchemaScopedIntrospector implements DatabaseIntrospector {
  private readonly stock: PostgresIntrospector;

  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string,
  ) {
    this.stock = new PostgresIntrospector(db);
  }

  getSchemas(): Promise<SchemaMetadata[]> {
    return this.stock.getSchemas();
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; is_view: boolean }>`
      select c.relname as name, c.relkind = 'v' as is_view
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${this.schema} and c.relkind in ('r', 'v', 'p')`.execute(this.db);
    // Only names are asked for (the Migrator's "does my table exist"); columns are left out.
    return rows.map((r) => ({ name: r.name, schema: this.schema, isView: r.is_view, columns: [] }));
  }

  async getMetadata(): Promise<{ tables: TableMetadata[] }> {
    return { tables: await this.getTables() };
  }
}

/** The PostgreSQL dialect with an introspector that sees only Baton's own schema. */
export class SchemaScopedPostgresDialect extends PostgresDialect {
  constructor(
    config: PostgresDialectConfig,
    private readonly schema: string,
  ) {
    super(config);
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaScopedIntrospector(db, this.schema);
  }
}
