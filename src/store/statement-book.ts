import type { Compilable, CompiledQuery, Kysely, QueryResult, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** Stands for a value given at execution: typed as whatever the query wants there. */
export type Slot = <T = never>(name: string) => T;

type Executor = Kysely<Database> | Transaction<Database>;

interface Entry {
  compiled: CompiledQuery;
  /** Each parameter of the compiled query: a slot filled per execution, or a constant of the query. */
  order: ({ slot: string } | { value: unknown })[];
}

const MARK = '\u0000slot:';

/**
 * Kysely builds and compiles a query on every call, which costs more CPU than SQLite takes to run
 * a short statement. The statements every message runs are built once per shape (a key such as
 * `events.insert:2` for two rows), with slots where the values go; each execution only fills the
 * parameters in. A shape's key must name everything that changes its SQL text.
 */
export class StatementBook {
  private readonly entries = new Map<string, Entry>();

  async run<R>(db: Executor, key: string, values: object, build: (slot: Slot) => Compilable<R>): Promise<QueryResult<R>> {
    let entry = this.entries.get(key);
    if (!entry) {
      const compiled = build(((name: string) => `${MARK}${name}`) as Slot).compile();
      entry = { compiled, order: compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? { slot: p.slice(MARK.length) } : { value: p })) };
      this.entries.set(key, entry);
    }
    const parameters = entry.order.map((o) => {
      if (!('slot' in o)) return o.value;
      const v = (values as Record<string, unknown>)[o.slot];
      if (v === undefined) throw new Error(`statement ${key}: no value for ${o.slot}`);
      return v;
    });
    return db.executeQuery<R>({ ...entry.compiled, parameters } as CompiledQuery<R>);
  }
}

/** Slots for row `i` of a multi-row statement: `${i}.${column}` for each column. */
export function rowSlots<K extends string>(slot: Slot, i: number, columns: readonly K[]): Record<K, never> {
  return Object.fromEntries(columns.map((c) => [c, slot(`${i}.${c}`)])) as Record<K, never>;
}

/** The values of multi-row slots, in the same naming. */
export function rowValues(rows: readonly object[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  rows.forEach((r, i) => {
    for (const [k, v] of Object.entries(r)) out[`${i}.${k}`] = v;
  });
  return out;
}
