import { Files } from '../../src/core/files.js';
import { png } from '../helpers/sample-files.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { RetentionJob, type RetentionRun } from '../../src/core/retention-job.js';
import { SessionStore } from '../../src/store/login-sessions.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { KyselyRetention } from '../../src/store/retention-store.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { dropSchema, freshSchemaName, PG_URL } from '../helpers/engines.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/waiting.js';

const KEY = 'retention-key-000000000000001';
const OTHER_KEY = 'retention-key-000000000000002';
const DAY = 86_400_000;
const DAY0 = '2026-01-05T10:00:00.000Z';

function config(receiver: string) {
  const account = (id: string, key: string) => ({
    id,
    apiKeys: [key],
    // Nothing sent to `sms` can leave: it has nowhere to go, so its deliveries wait, parked.
    channels: [{ id: 'web', kind: 'native', outboundUrl: `${receiver}/${id}/out` }, { id: 'sms', kind: 'native' }],
    components: [{ id: 'bot', kind: 'bot', url: `${receiver}/${id}/bot` }, { id: 'desk', kind: 'desk', url: `${receiver}/${id}/desk` }],
    services: [{ id: 's', channels: ['web', 'sms'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] }],
    defaultDesk: 'desk',
  });
  return {
    accounts: [
      { ...account('acme', KEY), retention: { closedConversations: '90d', deliveries: '30d', idempotencyKeys: '24h', audit: '30d' } },
      // No retention block: closed conversations and the audit log are kept; the defaults prune the rest.
      account('other', OTHER_KEY),
    ],
  };
}

/** Every row of a conversation, table by table, found the way a person would look: by its id. */
async function rowsOf(store: KyselyStore, accountId: string, conversationId: string): Promise<Record<string, number>> {
  const db = store.kysely;
  const n = async (table: 'events' | 'messages' | 'deliveries' | 'delivery_cursors' | 'timers' | 'bot_sessions' | 'agent_sessions' | 'work_items' | 'files') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).where('conversation_id', '=', conversationId).executeTakeFirstOrThrow()).n);
  const attempts = Number((await db.selectFrom('delivery_attempts').innerJoin('deliveries', 'deliveries.id', 'delivery_attempts.delivery_id').select((eb) => eb.fn.countAll().as('n'))
    .where('deliveries.account_id', '=', accountId).where('deliveries.conversation_id', '=', conversationId).executeTakeFirstOrThrow()).n);
  const conversation = Number((await db.selectFrom('conversations').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).where('id', '=', conversationId).executeTakeFirstOrThrow()).n);
  return { conversation, events: await n('events'), messages: await n('messages'), deliveries: await n('deliveries'), attempts, cursors: await n('delivery_cursors'), agentSessions: await n('agent_sessions'), botSessions: await n('bot_sessions'), files: await n('files') };
}

describe.each(['sqlite', 'postgres'] as const)('retention on %s', (engine) => {
  const clock = new ManualClock(DAY0);
  let receiver: Receiver;
  let s: TestServer;
  const ids: Record<string, string> = {};
  const before: Record<string, Record<string, number>> = {};
  let runs: RetentionRun[] = [];
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const message = async (customer: string, text: string, key = KEY, headers: Record<string, string> = {}, channel = 'web') => {
    const res = await s.call('POST', `/v1/channels/${channel}/messages`, { customer, text }, { ...as(key), ...headers });
    expect(res.status).toBe(201);
    return res.body.conversation.id as string;
  };
  const close = async (id: string, key = KEY) => expect((await s.call('POST', `/v1/conversations/${id}/close`, {}, as(key))).status).toBe(200);
  const settled = () => until('every delivery but the stuck ones to be delivered', async () => {
    const pending = await s.baton.store.kysely.selectFrom('deliveries').select('conversation_id').where('state', '<>', 'delivered').execute();
    return pending.every((p) => p.conversation_id === ids.stuck);
  });

  beforeAll(async () => {
    receiver = await startReceiver();
    s = await startServer(engine, config(receiver.url), { clock, dispatch: true });
    // Day 0: a chat that is closed at once, one that stays open, one closed and later reopened,
    // one closed while its bot cannot take its message, and a closed one in an account that keeps them.
    ids.old = await message('old', 'hello', KEY, { 'idempotency-key': 'day-0-key' });
    expect((await s.call('POST', `/v1/conversations/${ids.old}/replies`, { componentId: 'bot', text: 'hi there' }, as(KEY))).status).toBe(201);
    expect((await s.call('POST', `/v1/conversations/${ids.old}/handover`, { by: 'bot', note: 'wants a human' }, as(KEY))).status).toBe(200);
    // A file sent in it goes with it; one sent in a conversation that stays open stays.
    const files = new Files(s.baton.store, clock);
    const file = (conversationId: string) => files.put({ accountId: 'acme', conversationId, uploader: { kind: 'customer', id: null }, name: 'photo.png', declaredType: 'image/png', bytes: png(2, 2) });
    await file(ids.old);
    await close(ids.old);
    ids.open = await message('open', 'still talking');
    await file(ids.open);
    expect((await s.call('POST', `/v1/conversations/${ids.open}/replies`, { componentId: 'bot', text: 'go on' }, as(KEY))).status).toBe(201);
    ids.reopened = await message('reopened', 'first visit');
    await close(ids.reopened);
    ids.stuck = await message('stuck', 'anyone there?', KEY, {}, 'sms');
    expect((await s.call('POST', `/v1/conversations/${ids.stuck}/replies`, { componentId: 'bot', text: 'this cannot reach you' }, as(KEY))).status).toBe(201);
    await close(ids.stuck);
    ids.kept = await message('kept', 'elsewhere', OTHER_KEY, { 'idempotency-key': 'other-day-0-key' });
    await close(ids.kept, OTHER_KEY);
    const sessions = new SessionStore(s.baton.store);
    await sessions.create('expired-login', { accountId: 'acme', agentId: 'alice', csrfToken: 'c1', createdAt: DAY0, expiresAt: new Date(Date.parse(DAY0) + DAY).toISOString() });
    await sessions.create('live-login', { accountId: 'acme', agentId: 'alice', csrfToken: 'c2', createdAt: DAY0, expiresAt: new Date(Date.parse(DAY0) + 200 * DAY).toISOString() });
    await settled();
    // Day 5: the customer of a closed chat writes again, which reopens it; then nothing, for 95 days.
    clock.advance(5 * DAY);
    expect(await message('reopened', 'back again')).toBe(ids.reopened);
    await settled();
    // Day 95: a chat closed recently.
    clock.advance(90 * DAY);
    ids.recent = await message('recent', 'new here');
    await close(ids.recent);
    await settled();
    // Day 100, an hour before the job runs: a key still within its window.
    clock.advance(5 * DAY - 3_600_000);
    await message('open', 'one more', KEY, { 'idempotency-key': 'fresh-key' });
    await settled();
    clock.advance(3_600_000);
    for (const [name, id] of Object.entries(ids)) before[name] = await rowsOf(s.baton.store, name === 'kept' ? 'other' : 'acme', id);
    runs = await s.baton.retention.run();
  });

  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  it('deletes a conversation closed longer ago than the period, with everything that hangs off it', async () => {
    expect(before.old).toMatchObject({ conversation: 1, agentSessions: 1, botSessions: 1, files: 1 });
    expect(before.old!.events).toBeGreaterThan(3);
    expect(before.old!.attempts).toBeGreaterThan(0);
    const acme = runs.find((r) => r.accountId === 'acme')!;
    expect(acme.deleted.conversations).toBe(1);
    expect(acme.deleted.events).toBe(before.old!.events);
    expect(acme.deleted.messages).toBe(before.old!.messages);
    expect(acme.deleted.files).toBe(1);
    expect(await rowsOf(s.baton.store, 'acme', ids.old!)).toEqual({ conversation: 0, events: 0, messages: 0, deliveries: 0, attempts: 0, cursors: 0, agentSessions: 0, botSessions: 0, files: 0 });
    expect((await s.call('GET', `/v1/conversations/${ids.old}`, undefined, as(KEY))).status).toBe(404);
  });

  it('leaves whole the event log and messages of open conversations, one reopened long ago included, and of a recently closed one', async () => {
    for (const name of ['open', 'reopened', 'recent'] as const) {
      const now = await rowsOf(s.baton.store, 'acme', ids[name]!);
      expect({ name, conversation: now.conversation, events: now.events, messages: now.messages, files: now.files }).toEqual({ name, conversation: 1, events: before[name]!.events, messages: before[name]!.messages, files: name === 'open' ? 1 : 0 });
    }
    const events = (await s.call('GET', `/v1/conversations/${ids.reopened}/events`, undefined, as(KEY))).body;
    expect(JSON.stringify(events)).toContain('conversation.reopened');
  });

  it('keeps a closed conversation that still waits on a delivery, and one whose account keeps them', async () => {
    expect(await rowsOf(s.baton.store, 'acme', ids.stuck!)).toMatchObject({ conversation: 1, events: before.stuck!.events });
    expect(await rowsOf(s.baton.store, 'other', ids.kept!)).toMatchObject({ conversation: 1, events: before.kept!.events, messages: before.kept!.messages });
  });

  it('prunes delivered deliveries older than their period in any conversation, keeping recent ones and what is not delivered', async () => {
    const open = await rowsOf(s.baton.store, 'acme', ids.open!);
    const recent = await rowsOf(s.baton.store, 'acme', ids.recent!);
    // The open chat's day-0 deliveries went; the one made an hour ago stays.
    expect(open.deliveries).toBeGreaterThan(0);
    expect(open.deliveries).toBeLessThan(before.open!.deliveries!);
    // What is left from before the period is what never went out.
    const old = await s.baton.store.kysely.selectFrom('deliveries').select(['id', 'state']).where('account_id', '=', 'acme').where('created_at', '<', new Date(clock.now().getTime() - 30 * DAY).toISOString()).execute();
    const stuckOnes = await s.baton.store.kysely.selectFrom('deliveries').select(['id', 'state']).where('conversation_id', '=', ids.stuck!).where('state', '<>', 'delivered').execute();
    expect(stuckOnes.length).toBeGreaterThan(0);
    expect(old.map((d) => d.id).sort()).toEqual(stuckOnes.map((d) => d.id).sort());
    expect(recent).toEqual(before.recent);
    const orphans = await s.baton.store.kysely.selectFrom('delivery_attempts').leftJoin('deliveries', 'deliveries.id', 'delivery_attempts.delivery_id').select('delivery_attempts.id').where('deliveries.id', 'is', null).execute();
    expect(orphans).toEqual([]);
  });

  it('prunes idempotency keys past their window, expired logins and audit lines past their period', async () => {
    const keys = await s.baton.store.kysely.selectFrom('idempotency_keys').select(['account_id', 'key']).orderBy('key').execute();
    expect(keys).toEqual([{ account_id: 'acme', key: 'fresh-key' }]);
    const sessions = await s.baton.store.kysely.selectFrom('sessions').select('id_hash').execute();
    expect(sessions.map((r) => r.id_hash)).toEqual(['live-login']);
    const cutoff = new Date(clock.now().getTime() - 30 * DAY).toISOString();
    const audit = await s.baton.store.kysely.selectFrom('audit_log').select(['account_id', 'at', 'action']).execute();
    expect(audit.filter((a) => a.account_id === 'acme' && a.at < cutoff)).toEqual([]);
    expect(audit.some((a) => a.account_id === 'acme' && a.action === 'close' && a.at >= cutoff)).toBe(true);
    // The account without an audit period keeps its lines from day 0.
    expect(audit.some((a) => a.account_id === 'other' && a.at < cutoff)).toBe(true);
  });

  it('finds nothing more to do on a second run, and says when it last ran', async () => {
    const again = await s.baton.retention.run();
    for (const r of again) expect(Object.values(r.deleted).every((n) => n === 0)).toBe(true);
    const last = await new KyselyRetention(s.baton.store).lastRuns();
    expect(last.map((r) => [r.accountId, r.finishedAt])).toEqual([['acme', clock.now().toISOString()], ['other', clock.now().toISOString()]]);
  });

  it('starts a new conversation when the customer of a deleted one writes again', async () => {
    expect(await message('old', 'remember me?')).toBe(ids.old);
    const events = (await s.call('GET', `/v1/conversations/${ids.old}/events`, undefined, as(KEY))).body;
    expect(JSON.stringify(events)).not.toContain('wants a human');
  });
});

describe('retention by several processes on one PostgreSQL', () => {
  const clock = new ManualClock(DAY0);
  let receiver: Receiver;
  let s: TestServer;
  let second: KyselyStore;
  const schema = freshSchemaName();
  const N = 40;

  beforeAll(async () => {
    receiver = await startReceiver();
    s = await startServer('postgres', { accounts: [{ ...config(receiver.url).accounts[0]!, retention: { closedConversations: '1d', deliveries: '1d' } }] }, { clock, dispatch: true, schema });
    for (let i = 0; i < N; i += 1) {
      const res = await s.call('POST', '/v1/channels/web/messages', { customer: `c${i}`, text: `hello ${i}` }, { authorization: `Bearer ${KEY}` });
      expect((await s.call('POST', `/v1/conversations/${res.body.conversation.id}/close`, {}, { authorization: `Bearer ${KEY}` })).status).toBe(200);
    }
    await until('every delivery to be delivered', async () => (await s.baton.store.kysely.selectFrom('deliveries').select('id').where('state', '<>', 'delivered').execute()).length === 0);
    second = openPostgresStore({ url: PG_URL, schema });
    clock.advance(2 * DAY);
  });

  afterAll(async () => {
    await second?.close();
    await s?.close();
    await receiver?.close();
    await dropSchema(schema);
  });

  it('divides the work: every old conversation is deleted once, and neither run fails for the other', async () => {
    // Small batches, no pause: the two runs interleave batch by batch.
    const a = new RetentionJob(new KyselyRetention(s.baton.store), clock, { batch: 3, pause: async () => {} });
    const b = new RetentionJob(new KyselyRetention(second), clock, { batch: 3, pause: async () => {} });
    const [ra, rb] = await Promise.all([a.run(), b.run()]);
    const deleted = ra[0]!.deleted.conversations + rb[0]!.deleted.conversations;
    // Each counts only what it deleted: no conversation was taken by both.
    expect(deleted).toBe(N);
    expect((await s.baton.store.kysely.selectFrom('conversations').select('id').execute()).length).toBe(0);
    for (const table of ['events', 'messages', 'deliveries', 'delivery_attempts', 'delivery_cursors'] as const) {
      expect({ table, rows: (await s.baton.store.kysely.selectFrom(table).selectAll().execute()).length }).toEqual({ table, rows: 0 });
    }
  });
});
