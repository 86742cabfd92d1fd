import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { chatId } from '../../src/core/ids.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { type StoreConfig, openStore } from '../../src/store/open-store.js';
import * as rows from '../../src/store/rows.js';

export interface SeedOptions {
  count: number;
  /** Chat i is `{prefix}{i}`. */
  prefix: string;
  maxSeconds: number;
  /**
   * Also copy the delivered outbox rows and their attempts (Baton keeps them). They are over half
   * of the rows and of the seeding time, so they are left out unless asked for.
   */
  outboxHistory: boolean;
}

export interface SeedResult {
  seeded: number;
  rows: number;
  seconds: number;
}

type Value = string | number | null;
type TableRows = Record<string, Value>[];

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
/** Clones are spread back in time this far apart, so time-ordered indexes see a real history. */
const SPACING_MS = 1000;
/** Conversations per transaction. */
const PER_TX = 20_000;
/** Bound parameters per statement, under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000;

/**
 * The rows one finished conversation left in the store, read back through the store's own reads
 * and turned into rows by the store's own mappers (src/store/rows.ts), so seeded rows have the
 * shapes the store writes, whatever the core puts in them.
 */
async function templateRows(store: KyselyStore, accountId: string, conversationId: string, outboxHistory: boolean): Promise<Record<string, TableRows>> {
  const conversation = await store.getConversation(accountId, conversationId);
  if (!conversation) throw new Error(`no template conversation ${conversationId}`);
  const db = store.kysely;
  const deliveries = await db.selectFrom('deliveries').selectAll().where('account_id', '=', accountId).where('conversation_id', '=', conversationId).execute();
  const undelivered = deliveries.filter((d) => d.state !== 'delivered').length;
  if (undelivered > 0) throw new Error(`the template conversation still has ${undelivered} undelivered deliveries`);
  const events = await store.listEvents(accountId, conversationId, 0, 10_000);
  const messages = await store.listMessages(accountId, conversationId, 10_000);
  const b = conversation.botSession;
  return {
    conversations: [rows.fromConversation(conversation)],
    // The store writes a bot session's row beside the conversation (kysely-store writeSessions).
    bot_sessions: b ? [{ account_id: accountId, id: b.id, conversation_id: conversation.id, opened_at: b.openedAt }] : [],
    events: events.map(rows.fromEvent),
    messages: messages.map((m) => rows.fromMessage(m, conversation.channelId)),
    delivery_cursors: await db.selectFrom('delivery_cursors').selectAll().where('account_id', '=', accountId).where('conversation_id', '=', conversationId).execute(),
    deliveries: outboxHistory ? deliveries : [],
    delivery_attempts: outboxHistory && deliveries.length > 0 ? await db.selectFrom('delivery_attempts').selectAll().where('delivery_id', 'in', deliveries.map((d) => d.id)).execute() : [],
  } as unknown as Record<string, TableRows>;
}

/** A column value with holes where a clone's ids, times and chat go; constants have no holes. */
type Slot = { kind: 'uuid'; index: number } | { kind: 'time'; ms: number } | { kind: 'chat' };
interface Cell { parts: string[]; slots: Slot[] }
interface Clone { uuids: string[]; shiftMs: number; chat: string }

/** Compiles every string cell against one shared list of the template's UUIDs. */
function compiler(chatKey: string) {
  const uuids: string[] = [];
  const re = new RegExp(`(${UUID})|(${ISO})|(${chatKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`, 'g');
  const compile = (value: Value): Value | Cell => {
    if (typeof value !== 'string') return value;
    const parts: string[] = [];
    const slots: Slot[] = [];
    let last = 0;
    re.lastIndex = 0;
    for (let m = re.exec(value); m; m = re.exec(value)) {
      parts.push(value.slice(last, m.index));
      if (m[1]) {
        let index = uuids.indexOf(m[1]);
        if (index < 0) index = uuids.push(m[1]) - 1;
        slots.push({ kind: 'uuid', index });
      } else if (m[2]) {
        slots.push({ kind: 'time', ms: Date.parse(m[2]) });
      } else {
        slots.push({ kind: 'chat' });
      }
      last = m.index + m[0].length;
    }
    if (slots.length === 0) return value;
    parts.push(value.slice(last));
    return { parts, slots };
  };
  return { uuids, compile };
}

function render(cell: Value | Cell, c: Clone): Value {
  if (cell === null || typeof cell !== 'object') return cell;
  let out = cell.parts[0]!;
  for (let s = 0; s < cell.slots.length; s++) {
    const slot = cell.slots[s]!;
    out += slot.kind === 'uuid' ? c.uuids[slot.index]! : slot.kind === 'chat' ? c.chat : new Date(slot.ms - c.shiftMs).toISOString();
    out += cell.parts[s + 1]!;
  }
  return out;
}

const statements = new Map<string, string>();

/** The statement text is built once per table and row count, not per insert. */
function insertSql(engine: 'sqlite' | 'postgres', table: string, columns: string[], count: number): string {
  const key = `${engine} ${table} ${count}`;
  let text = statements.get(key);
  if (!text) {
    let n = 0;
    const tuple = () => `(${columns.map(() => (engine === 'postgres' ? `$${++n}` : '?')).join(', ')})`;
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: count }, tuple).join(', ')}`;
    statements.set(key, text);
  }
  return text;
}

/**
 * Fills a store (Baton stopped) with `count` copies of one finished conversation, each with its
 * own chat, ids and times: the conversation, its bot session, messages, events and idle delivery
 * cursors (and with `outboxHistory` its delivered deliveries and attempts), in transactions of
 * PER_TX conversations of multi-row inserts. The HTTP API would take hours for a million; this
 * takes minutes. Stops early at `maxSeconds` and says how far it got.
 */
export async function seedStore(where: StoreConfig, template: { accountId: string; channelId: string; business: string; chat: string }, opts: SeedOptions): Promise<SeedResult> {
  const store = openStore(where);
  const started = performance.now();
  try {
    const templateId = chatId(template.channelId, template.chat, template.business);
    const { uuids, compile } = compiler(template.chat);
    const tables = Object.entries(await templateRows(store, template.accountId, templateId, opts.outboxHistory))
      .filter(([, list]) => list.length > 0)
      .map(([table, list]) => {
        const columns = [...new Set(list.flatMap((r) => Object.keys(r)))];
        return { table, columns, cells: list.map((r) => columns.map((col) => compile(r[col] ?? null))), perInsert: Math.floor(MAX_PARAMS / columns.length) };
      });
    // Seeding is not what is measured: SQLite keeps the growing indexes in memory and skips syncs
    // on this connection (Baton's own settings apply again when it opens the file).
    if (store.engine === 'sqlite') {
      await sql`pragma cache_size = -2000000`.execute(store.kysely);
      await sql`pragma synchronous = OFF`.execute(store.kysely);
    }
    const now = Date.now();
    let seeded = 0;
    let rowCount = 0;
    while (seeded < opts.count && performance.now() - started < opts.maxSeconds * 1000) {
      const upTo = Math.min(opts.count, seeded + PER_TX);
      const params = tables.map(() => [] as Value[]);
      for (let i = seeded; i < upTo; i++) {
        const chat = `${opts.prefix}${i}`;
        // The newest clone is an hour old; older ones lie further back, SPACING_MS apart.
        const clone: Clone = { chat, shiftMs: 3_600_000 + (opts.count - i) * SPACING_MS, uuids: uuids.map((u) => (u === templateId ? chatId(template.channelId, chat, template.business) : randomUUID())) };
        tables.forEach((t, k) => {
          for (const row of t.cells) for (const cell of row) params[k]!.push(render(cell, clone));
        });
      }
      await store.kysely.transaction().execute(async (trx) => {
        for (const [k, t] of tables.entries()) {
          const values = params[k]!;
          const width = t.columns.length;
          for (let at = 0; at < values.length; at += t.perInsert * width) {
            const chunk = values.slice(at, at + t.perInsert * width);
            await trx.executeQuery(CompiledQuery.raw(insertSql(store.engine, t.table, t.columns, chunk.length / width), chunk));
          }
          rowCount += values.length / width;
        }
      });
      seeded = upTo;
    }
    // What an operator's database would have had time to do: SQLite folds the WAL back into the
    // file; PostgreSQL's autovacuum would have analysed tables this size by now.
    if (store.engine === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.kysely);
    else await sql`analyze`.execute(store.kysely);
    return { seeded, rows: rowCount, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}
