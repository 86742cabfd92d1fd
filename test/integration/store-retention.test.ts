import { CompiledQuery, DeleteQueryNode, type KyselyPlugin, SelectQueryNode } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { auditEntry } from '../../src/core/audit.js';
import { ManualClock } from '../../src/core/clock.js';
import { RetentionJob } from '../../src/core/retention-job.js';
import { SessionStore } from '../../src/store/login-sessions.js';
import { KyselyRetention } from '../../src/store/retention-store.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { aChannel, aComponent, aConversation, aDelivery, anAccount, anEvent, at } from '../helpers/builders-store.js';
import { type EngineHandle, engines, freshStorePerTest } from '../helpers/engines.js';

const DAY_MINUTES = 24 * 60;

// The prunes the retention job makes on both engines, in batches of a few rows, with the job's
// pause between two batches: each kind of row goes once it is past its period, and not before.
describe.each(engines)('store: retention prunes on $name', (engine) => {
  const handle = freshStorePerTest(engine);
  const store = () => handle().store;
  const count = async (table: 'idempotency_keys' | 'sessions' | 'audit_log') => Number((await store().kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('deletes idempotency keys, expired logins and audit lines past their periods, three rows a batch, pausing between batches', async () => {
    const sessions = new SessionStore(store());
    await store().transaction(async (tx) => {
      await tx.upsertAccount(anAccount({ retention: { closedConversationsMs: null, deliveriesMs: null, idempotencyKeysMs: DAY_MINUTES * 60_000, auditMs: 10 * DAY_MINUTES * 60_000 } }), []);
      await tx.upsertAccount(anAccount({ id: 'other' }), []);
      // Day 0: seven keys and seven audit lines; day 20: one of each that stays.
      for (let i = 0; i < 7; i++) {
        await tx.putIdempotency('acme', `old-${i}`, { fingerprint: 'f', result: {}, createdAt: at(i) });
        await tx.appendAudit(auditEntry('acme', at(i), 'close', `c-${i}`, {}));
      }
      await tx.putIdempotency('acme', 'fresh', { fingerprint: 'f', result: {}, createdAt: at(20 * DAY_MINUTES) });
      await tx.appendAudit(auditEntry('acme', at(20 * DAY_MINUTES), 'close', 'c-new', {}));
      // Another account's lines: it keeps its audit log (no period); its keys follow the default day.
      await tx.appendAudit(auditEntry('other', at(0), 'close', 'c-other', {}));
      await tx.putIdempotency('other', 'other-old', { fingerprint: 'f', result: {}, createdAt: at(0) });
    });
    for (let i = 0; i < 4; i++) await sessions.create(`expired-${i}`, { accountId: 'acme', agentId: 'alice', csrfToken: 'c', createdAt: at(0), expiresAt: at(DAY_MINUTES) });
    await sessions.create('live', { accountId: 'acme', agentId: 'alice', csrfToken: 'c', createdAt: at(0), expiresAt: at(30 * DAY_MINUTES) });

    const seen: number[][] = [];
    const clock = new ManualClock(at(20 * DAY_MINUTES + 1));
    const job = new RetentionJob(new KyselyRetention(store()), clock, {
      batch: 3,
      // The pause is where traffic would go first; here it records what each batch left.
      pause: async () => void seen.push([await count('idempotency_keys'), await count('sessions'), await count('audit_log')]),
    });
    const [acme, other] = await job.run();
    expect(acme!.deleted).toMatchObject({ idempotencyKeys: 7, sessions: 4, audit: 7 });
    expect(other!.deleted).toMatchObject({ idempotencyKeys: 1, sessions: 0, audit: 0 });
    // Batches of three: 7 keys go as 3, 3, 1; 4 sessions as 3, 1; 7 lines as 3, 3, 1. A short batch
    // means nothing more is old: no pause after it.
    expect(seen).toEqual([[6, 5, 9], [3, 5, 9], [2, 2, 9], [2, 1, 6], [2, 1, 3]]);
    expect((await store().kysely.selectFrom('idempotency_keys').select('key').execute()).map((r) => r.key)).toEqual(['fresh']);
    expect((await store().kysely.selectFrom('sessions').select('id_hash').execute()).map((r) => r.id_hash)).toEqual(['live']);
    expect((await store().kysely.selectFrom('audit_log').select('subject').where('action', '=', 'close').orderBy('subject').execute()).map((r) => r.subject)).toEqual(['c-new', 'c-other']);
    // Each account's run that deleted something says so in its audit log.
    const said = await store().kysely.selectFrom('audit_log').select(['account_id', 'at', 'details']).where('action', '=', 'retention.deleted').orderBy('account_id').execute();
    expect(said.map((r) => [r.account_id, r.at, JSON.parse(r.details).idempotencyKeys])).toEqual([['acme', clock.now().toISOString(), 7], ['other', clock.now().toISOString(), 1]]);
  });

  it('stops between two batches when asked, and a later run goes on', async () => {
    await store().transaction(async (tx) => {
      await tx.upsertAccount(anAccount(), []);
      for (let i = 0; i < 9; i++) await tx.putIdempotency('acme', `k-${i}`, { fingerprint: 'f', result: {}, createdAt: at(i) });
    });
    const clock = new ManualClock(at(3 * DAY_MINUTES));
    // Asked to stop during the first pause (as `close()` does): the run ends there.
    const job: RetentionJob = new RetentionJob(new KyselyRetention(store()), clock, { batch: 3, pause: async () => void job.stop() });
    expect((await job.run())[0]!.deleted.idempotencyKeys).toBe(3);
    expect(await count('idempotency_keys')).toBe(6);
    const [again] = await new RetentionJob(new KyselyRetention(store()), clock, { batch: 3, pause: async () => {} }).run();
    expect(again!.deleted.idempotencyKeys).toBe(6);
  });
});

// SQLite's plans for every statement a run makes: each finds its rows by an index (SEARCH), none
// reads a whole table (SCAN). PostgreSQL picks plans by table statistics, so tiny test tables
// would show scans there whatever the indexes.
describe('store: the retention job\'s statements on SQLite', () => {
  let handle: EngineHandle | undefined;
  afterEach(async () => {
    await handle?.dispose();
    handle = undefined;
  });

  it('finds every row it reads or deletes by an index', async () => {
    handle = await engines.find((e) => e.name === 'sqlite')!.open();
    const store = handle.store;
    const seen: CompiledQuery[] = [];
    const capture: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        if (SelectQueryNode.is(node) || DeleteQueryNode.is(node)) seen.push(store.kysely.getExecutor().compileQuery(node, queryId));
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    // The store as the job sees it, with every statement it compiles written down.
    const watched = Object.create(store, { kysely: { value: store.kysely.withPlugin(capture) } }) as KyselyStore;
    await store.transaction(async (tx) => {
      await tx.upsertAccount(anAccount({ retention: { closedConversationsMs: 60_000, deliveriesMs: 60_000, idempotencyKeysMs: 60_000, auditMs: 60_000 } }), []);
      await tx.upsertComponent(aComponent());
      await tx.upsertChannel(aChannel());
      await tx.insertConversation(aConversation({ status: 'closed', updatedAt: at(0) }));
      await tx.appendEvents([anEvent(1)]);
      await tx.insertDeliveries([aDelivery()]);
    });
    // As the dispatcher leaves them once the recipient took the delivery.
    await store.kysely.updateTable('deliveries').set({ state: 'delivered' }).execute();
    await store.kysely.updateTable('delivery_cursors').set({ state: 'idle', head_seq: null, due_at: null }).execute();
    const [run] = await new RetentionJob(new KyselyRetention(watched), new ManualClock(at(60)), { pause: async () => {} }).run();
    expect(run!.deleted.conversations).toBe(1);
    const tables = new Set<string>();
    for (const q of seen) {
      const plan = await store.kysely.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
      for (const { detail } of plan.rows) {
        expect({ sql: q.sql, detail }).not.toEqual({ sql: q.sql, detail: expect.stringMatching(/^SCAN (?!.*USING (COVERING )?INDEX)/) });
        const table = /^(?:SEARCH|SCAN) (\w+)/.exec(detail)?.[1];
        if (table) tables.add(table);
      }
    }
    // Every table that hangs off a conversation was looked at.
    expect([...tables].sort()).toEqual(expect.arrayContaining(['agent_sessions', 'audit_log', 'bot_sessions', 'conversations', 'deliveries', 'delivery_attempts', 'delivery_cursors', 'events', 'idempotency_keys', 'messages', 'sessions', 'timers', 'work_items']));
  });
});
