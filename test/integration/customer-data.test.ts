import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { Migrator, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RuntimeConfig } from '../../src/app.js';
import { erase } from '../../src/cli/erase.js';
import { systemClock } from '../../src/core/clock.js';
import { CustomerData } from '../../src/core/customer-data.js';
import { Files } from '../../src/core/files.js';
import { channelInboundPath, componentInboundPath } from '../../src/dialects/index.js';
import { nativeRoutes } from '../../src/dialects/native/routes.js';
import { ErrorSchema } from '../../src/edge-kit/errors.js';
import { actorHook } from '../../src/http/actor.js';
import { bearerAuth } from '../../src/edge-kit/bearer-auth.js';
import { installErrorHandler } from '../../src/http/error-handler.js';
import { validatorCompiler } from '../../src/http/validation.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import * as storeRows from '../../src/store/rows.js';
import { aConversation, aMessage, at } from '../helpers/builders-store.js';
import { dropSchema, type EngineHandle, engines, freshSchemaName, PG_URL } from '../helpers/engines.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'erase-key-00000000000000001';
const ACTOR = `api-key:${createHash('sha256').update(KEY).digest('hex').slice(0, 12)}`;
const CONFIG = {
  accounts: [{
    id: 'acme',
    apiKeys: [KEY],
    channels: [{ id: 'web', kind: 'native' }, { id: 'sms', kind: 'native' }],
    components: [{ id: 'bot', kind: 'bot', url: 'http://127.0.0.1:9/bot' }, { id: 'desk', kind: 'desk', url: 'http://127.0.0.1:9/desk' }],
    services: [{ id: 's', channels: ['web', 'sms'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] }],
    defaultDesk: 'desk',
  }],
};

/**
 * The /v1 scope as src/http/server.ts builds it (error shape, schema validation, actor, API-key
 * auth, the native routes), with the customer data routes given their service.
 */
async function v1(s: TestServer): Promise<FastifyInstance> {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandler(app);
  app.addSchema(ErrorSchema);
  app.decorateRequest('actor', '');
  app.addHook('onRequest', actorHook);
  await app.register(async (scope) => {
    scope.addHook('onRequest', bearerAuth(s.baton.store));
    await nativeRoutes(scope, { router: s.baton.router, queries: s.baton.queries, addresses: { component: componentInboundPath, channel: channelInboundPath }, customerData: new CustomerData(s.baton.store, systemClock) });
  }, { prefix: '/v1' });
  await app.ready();
  return app;
}

/** Every row of every table, as the database gives it back: where erased text must not be. */
async function everyRow(s: TestServer, schema: string | undefined): Promise<string> {
  if (!schema) {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(s.baton.store.kysely);
    const out: string[] = [];
    for (const { name } of tables.rows) out.push(JSON.stringify((await sql`select * from ${sql.table(name)}`.execute(s.baton.store.kysely)).rows));
    return out.join('\n');
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>('select table_name from information_schema.tables where table_schema = $1', [schema]);
    const out: string[] = [];
    for (const { table_name: t } of tables.rows) out.push((await client.query<{ dump: string }>(`select coalesce(string_agg(t::text, E'\\n'), '') as dump from "${schema}"."${t}" t`)).rows[0]!.dump);
    return out.join('\n');
  } finally {
    await client.end();
  }
}

/** The SQLite file and its write-ahead log, byte for byte, as they are on disk. */
async function sqliteBytes(s: TestServer): Promise<Buffer> {
  const { rows } = await sql<{ name: string; file: string }>`pragma database_list`.execute(s.baton.store.kysely);
  const file = rows.find((r) => r.name === 'main')!.file;
  return Buffer.concat([readFileSync(file), ...(existsSync(`${file}-wal`) ? [readFileSync(`${file}-wal`)] : [])]);
}

/** Where `needle` first occurs in `text`, with some context; empty when it does not. */
function around(text: string, needle: string): string {
  const i = text.indexOf(needle);
  return i < 0 ? '' : text.slice(Math.max(0, i - 300), i + needle.length + 100);
}

describe.each(['sqlite', 'postgres'] as const)('erasure and export of a customer\'s data on %s', (engine) => {
  const marker = `erase-me-${randomUUID()}`;
  const kept = `keep-me-${randomUUID()}`;
  const customer = '+31 6 1234 5678/x';
  const path = `/v1/customers/${encodeURIComponent(customer)}`;
  const schema = engine === 'postgres' ? freshSchemaName() : undefined;
  const idempotencyKey = `k-${randomUUID()}`;
  let s: TestServer;
  let api: FastifyInstance;
  let web: string;
  let sms: string;
  const call = async (method: 'GET' | 'POST', url: string) => {
    const res = await api.inject({ method, url, headers: { authorization: `Bearer ${KEY}` } });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    s = await startServer(engine, CONFIG, { apiKey: KEY, ...(schema ? { schema } : {}) });
    api = await v1(s);
    const first = await s.call('POST', '/v1/channels/web/messages', { customer, text: `hello ${marker}`, visitor: { name: `name ${marker}` }, context: { order: `order ${marker}` } }, { 'idempotency-key': idempotencyKey });
    expect(first.status).toBe(201);
    web = first.body.conversation.id;
    expect((await s.call('POST', `/v1/conversations/${web}/replies`, { componentId: 'bot', text: `bot quotes ${marker}` })).status).toBe(201);
    expect((await s.call('POST', `/v1/conversations/${web}/handover`, { by: 'bot', note: `note ${marker}`, context: { why: `why ${marker}` } })).status).toBe(200);
    expect((await s.call('POST', `/v1/conversations/${web}/replies`, { componentId: 'desk', authorKind: 'agent', text: `agent quotes ${marker}` })).status).toBe(201);
    // A file the customer sent, with the marker in its bytes: erasure deletes it whole.
    await new Files(s.baton.store, systemClock).put({ accountId: 'acme', conversationId: web, uploader: { kind: 'customer', id: customer }, name: 'scan.pdf', declaredType: 'application/pdf', bytes: Buffer.from(`%PDF-1.4\n% passport scan ${marker}\n%%EOF\n`) });
    sms = (await s.call('POST', '/v1/channels/sms/messages', { customer, text: `sms ${marker}` })).body.conversation.id;
    expect((await s.call('POST', '/v1/channels/web/messages', { customer: 'someone else', text: `other ${kept}`, visitor: { name: kept } })).status).toBe(201);

    // A recipient that quoted the message in its refusal: the error text is kept wherever the
    // delivery machinery repeats it (attempt, delivery, cursor, component, channel warning).
    const db = s.baton.store.kysely;
    const delivery = await db.selectFrom('deliveries').select(['id', 'target_kind', 'target_id']).where('conversation_id', '=', web).where('target_kind', '=', 'component').orderBy('seq').executeTakeFirstOrThrow();
    const error = `the gateway refused "hello ${marker}"`;
    await db.insertInto('delivery_attempts').values({ id: randomUUID(), delivery_id: delivery.id, account_id: 'acme', attempt: 1, at: new Date().toISOString(), outcome: 'failed', status_code: 400, latency_ms: 3, error }).execute();
    await db.updateTable('deliveries').set({ last_error: error }).where('id', '=', delivery.id).execute();
    await db.updateTable('delivery_cursors').set({ parked_reason: `delivery ${delivery.id} failed: ${error}` }).where('conversation_id', '=', web).where('target_id', '=', delivery.target_id).execute();
    await db.updateTable('components').set({ last_error: error }).where('account_id', '=', 'acme').where('id', '=', delivery.target_id).execute();
    await db.updateTable('channels').set({ reachability_warning: `The channel's server answered ${error}; it is switched off until you switch it on again.` }).where('account_id', '=', 'acme').where('id', '=', 'sms').execute();
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await s?.close();
    if (schema) await dropSchema(schema);
  });

  it('exports a conversation whole and every conversation of the customer', async () => {
    const one = await call('GET', `/v1/conversations/${web}/export`);
    expect(one.status).toBe(200);
    expect(one.body.conversation).toMatchObject({ id: web, customer, title: `hello ${marker}`, visitor: { name: `name ${marker}` } });
    expect(one.body.messages.map((m: any) => m.content.text)).toEqual([`hello ${marker}`, `bot quotes ${marker}`, `agent quotes ${marker}`]);
    expect(one.body.events.map((e: any) => e.seq)).toEqual(one.body.events.map((_: unknown, i: number) => i + 1));
    expect(one.body.events.find((e: any) => e.type === 'handover').data.note).toBe(`note ${marker}`);
    expect(one.body.files).toEqual([expect.objectContaining({ name: 'scan.pdf', contentType: 'application/pdf', uploader: { kind: 'customer', id: customer } })]);

    const all = await call('GET', `${path}/export`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ customer, channel: null });
    expect(all.body.conversations.map((c: any) => c.conversation.id)).toEqual([web, sms]);
    const onSms = await call('GET', `${path}/export?channel=sms`);
    expect(onSms.body.conversations.map((c: any) => c.conversation.id)).toEqual([sms]);
  });

  it('refuses unknown customers and channels with stable codes', async () => {
    expect(await call('GET', '/v1/customers/nobody/export')).toMatchObject({ status: 404, body: { error: { code: 'customer_not_found' } } });
    expect(await call('POST', '/v1/customers/nobody/erase')).toMatchObject({ status: 404, body: { error: { code: 'customer_not_found' } } });
    expect(await call('POST', `${path}/erase?channel=nope`)).toMatchObject({ status: 404, body: { error: { code: 'channel_not_found' } } });
    expect(await call('GET', '/v1/conversations/00000000-0000-5000-8000-000000000000/export')).toMatchObject({ status: 404, body: { error: { code: 'conversation_not_found' } } });
    const unauthenticated = await api.inject({ method: 'POST', url: `${path}/erase` });
    expect(unauthenticated.statusCode).toBe(401);
    // Nothing was erased by any of them.
    expect((await call('GET', `/v1/conversations/${web}/export`)).body.messages[0].content.text).toBe(`hello ${marker}`);
  });

  it('erases one channel\'s conversations when asked, then all of them, keeping the skeleton', async () => {
    const before = (await call('GET', `/v1/conversations/${web}/export`)).body;
    const narrow = await call('POST', `${path}/erase?channel=sms`);
    expect(narrow.status).toBe(200);
    expect(narrow.body.conversations).toEqual([{ id: sms, messages: 1, events: 0, deliveries: expect.any(Number), files: 0 }]);
    expect((await call('GET', `/v1/conversations/${web}/export`)).body.messages[0].content.text).toBe(`hello ${marker}`);

    const erased = await call('POST', `${path}/erase`);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ customer, channel: null });
    const mine = erased.body.conversations.find((c: any) => c.id === web);
    expect(mine).toMatchObject({ messages: 3, events: 2, files: 1 }); // the inbound context, the handover; the scan
    expect(mine.deliveries).toBeGreaterThan(0);
    expect(erased.body.conversations.find((c: any) => c.id === sms)).toEqual({ id: sms, messages: 0, events: 0, deliveries: 0, files: 0 });

    const after = (await call('GET', `/v1/conversations/${web}/export`)).body;
    expect(after.files).toEqual([]);
    expect(after.conversation).toMatchObject({ id: web, customer, title: null, visitor: {}, context: {}, controller: 'desk', controlVersion: before.conversation.controlVersion });
    expect(after.conversation.agentSession).toMatchObject({ id: before.conversation.agentSession.id, note: null, context: {} });
    expect(after.messages.map((m: any) => [m.id, m.author, m.createdAt, m.content])).toEqual(before.messages.map((m: any) => [m.id, m.author, m.createdAt, { type: 'text' }]));
    expect(after.messages.every((m: any) => m.erasedAt === erased.body.erasedAt)).toBe(true);
    expect(after.events.map((e: any) => [e.seq, e.type, e.at])).toEqual(before.events.map((e: any) => [e.seq, e.type, e.at]));
    expect(after.events.find((e: any) => e.type === 'handover').data).toMatchObject({ note: null, context: {}, agentSessionId: before.conversation.agentSession.id });

    // What the ordinary API and an idempotent retry answer now.
    const listed = await s.call('GET', `/v1/conversations/${web}/messages`);
    expect(listed.body.items[0]).toMatchObject({ content: { type: 'text' }, erasedAt: erased.body.erasedAt });
    const retried = await s.call('POST', '/v1/channels/web/messages', { customer, text: `hello ${marker}`, visitor: { name: `name ${marker}` }, context: { order: `order ${marker}` } }, { 'idempotency-key': idempotencyKey });
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(JSON.stringify(retried.body)).not.toContain(marker);

    // Who erased what.
    const audit = (await s.call('GET', '/v1/audit')).body.items.filter((e: any) => e.action === 'customer.erase');
    expect(audit.map((e: any) => [e.subject, e.actor, e.details.channel]).sort()).toEqual([[sms, ACTOR, null], [sms, ACTOR, 'sms'], [web, ACTOR, null]].sort());
    expect(audit.find((e: any) => e.subject === web).details).toMatchObject({ customer, messages: 3, events: 2 });
  });

  it('erasing again changes nothing and says so', async () => {
    const again = await call('POST', `${path}/erase`);
    expect(again.status).toBe(200);
    expect(again.body.conversations).toEqual([{ id: web, messages: 0, events: 0, deliveries: 0, files: 0 }, { id: sms, messages: 0, events: 0, deliveries: 0, files: 0 }]);
  });

  it('baton erase does the same from the command line, as `cli`', async () => {
    const third = (await s.call('POST', '/v1/channels/web/messages', { customer: 'cli-customer', text: `cli ${marker}` })).body.conversation.id;
    const { rows } = engine === 'sqlite' ? await sql<{ name: string; file: string }>`pragma database_list`.execute(s.baton.store.kysely) : { rows: [] };
    const cfg = { dataDir: '', databaseUrl: engine === 'sqlite' ? `sqlite:${rows.find((r) => r.name === 'main')!.file}` : PG_URL, ...(schema ? { databaseSchema: schema } : {}) } as RuntimeConfig;
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await erase(cfg, { account: 'acme', customer: 'cli-customer' })).toBe(0);
      expect(printed.mock.calls[0]![0]).toContain('customer cli-customer: 1 conversation(s); emptied 1 message(s)');
    } finally {
      printed.mockRestore();
    }
    const messages = (await s.call('GET', `/v1/conversations/${third}/messages`)).body.items;
    expect(messages[0].content).toEqual({ type: 'text' });
    const audit = (await s.call('GET', '/v1/audit')).body.items.find((e: any) => e.action === 'customer.erase' && e.subject === third);
    expect(audit.actor).toBe('cli');
  });

  it('leaves the erased text nowhere in the database, and the others\' text where it was', async () => {
    const rows = await everyRow(s, schema);
    expect(rows).toContain(kept);
    expect(around(rows, marker)).toBe('');
    if (engine === 'sqlite') {
      const bytes = await sqliteBytes(s);
      expect(bytes.includes(kept)).toBe(true);
      expect(around(bytes.toString('latin1'), marker)).toBe('');
    }
  });
});

describe.each(engines)('the store\'s customer reads on $name', (engine) => {
  let h: EngineHandle | undefined;
  afterEach(async () => {
    await h?.dispose();
    h = undefined;
  });

  it('migration 013 gives conversations stored before it their customer', async () => {
    h = await engine.openUnmigrated();
    const db = h.store.kysely;
    await h.store.capabilities.beforeMigrate?.(db);
    const migrator = new Migrator({ db, provider: migrationProvider, ...(h.schema ? { migrationTableSchema: h.schema } : {}) });
    expect((await migrator.migrateTo('012-emergency-sweeps')).error).toBeUndefined();
    // Rows as Baton wrote them before the column existed.
    for (const [id, customer] of [['c-1', 'ann'], ['c-2', 'bob'], ['c-3', 'ann']] as const) {
      const { customer: _c, number: _n, ...row } = storeRows.fromConversation(aConversation({ id, customer, createdAt: at(Number(id.slice(2))) }));
      await db.insertInto('conversations').values(row).execute();
    }
    await h.store.migrate();
    expect((await h.store.listCustomerConversations('acme', 'ann', null)).map((c) => c.id)).toEqual(['c-1', 'c-3']);
    expect((await h.store.listCustomerConversations('acme', 'ann', 'elsewhere')).map((c) => c.id)).toEqual([]);
    expect((await h.store.listCustomerConversations('other', 'ann', null)).map((c) => c.id)).toEqual([]);
  });

  it('reads a conversation\'s messages in pages, in order', async () => {
    h = await engine.open();
    await h.store.transaction(async (tx) => {
      await tx.insertConversation(aConversation());
      for (let i = 0; i < 5; i++) await tx.insertMessage(aMessage({ id: `m-${i}`, createdAt: at(i < 2 ? 0 : i) }), 'web');
    });
    const first = await h.store.listMessagesAfter('acme', 'c-0001', null, 2);
    const last = first[first.length - 1]!;
    const rest = await h.store.listMessagesAfter('acme', 'c-0001', { createdAt: last.createdAt, id: last.id }, 10);
    expect([...first, ...rest].map((m) => m.id)).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
  });
});
