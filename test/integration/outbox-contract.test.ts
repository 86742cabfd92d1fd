import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cursor, Outcome } from '../../src/delivery/ports.js';
import { EXPONENTIAL_POLICY } from '../../src/delivery/retry-policies.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import { aComponent, aDelivery, anAccount, at } from '../helpers/builders-store.js';
import { type EngineHandle, engines } from '../helpers/engines.js';

const attempt = { statusCode: 200, latencyMs: 3, error: null };
const delivered: Outcome = { kind: 'delivered', attempt };
const failedOnce: Outcome = { kind: 'failed', attempt: { statusCode: 503, latencyMs: 3, error: 'HTTP 503' }, policy: EXPONENTIAL_POLICY, nextDelayMs: 5_000, disable: false, breakAfter: 0 };

/**
 * The outbox port (delivery/ports.ts) as store/outbox-store.ts implements it, on both engines:
 * claims, outcomes and the cursor moves the delivery guarantees rest on.
 */
describe.each(engines)('outbox store on $name', (engine) => {
  let handle: EngineHandle;
  let outbox: OutboxStore;
  beforeEach(async () => {
    handle = await engine.open();
    outbox = new OutboxStore(handle.store);
    await handle.store.transaction(async (tx) => {
      await tx.upsertAccount(anAccount(), []);
      await tx.upsertComponent(aComponent());
    });
  });
  afterEach(async () => {
    await handle.dispose();
  });

  const write = (drafts: ReturnType<typeof aDelivery>[], lease?: { claimId: string; until: string }) => handle.store.transaction((tx) => tx.insertDeliveries(drafts, lease ?? null));
  const cursorRow = () => handle.store.kysely.selectFrom('delivery_cursors').selectAll().where('target_kind', '=', 'component').executeTakeFirstOrThrow();
  const deliveryRow = (id: string) => handle.store.kysely.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const attempts = (id: string) => handle.store.kysely.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', id).orderBy('attempt').execute();

  it('claims due cursors once, people\'s messages first, and not those leased at insert', async () => {
    await write([aDelivery({ id: 'd-routine', conversationId: 'c-routine', eventType: 'handover', urgent: false, createdAt: at(0) })]);
    await write([aDelivery({ id: 'd-urgent', conversationId: 'c-urgent', createdAt: at(1) })]);
    await write([aDelivery({ id: 'd-leased', conversationId: 'c-leased', createdAt: at(0) })], { claimId: 'lease-1', until: at(30) });
    const first = await outbox.claim(at(5), at(10), 'claim-1', 1);
    expect(first.map((c) => c.conversation_id)).toEqual(['c-urgent']);
    const rest = await outbox.claim(at(5), at(10), 'claim-2', 10);
    expect(rest.map((c) => c.conversation_id)).toEqual(['c-routine']);
    expect(await outbox.claim(at(5), at(10), 'claim-3', 10)).toEqual([]);
    // A lease that runs out makes the cursor due again, for anyone.
    expect((await outbox.claim(at(31), at(40), 'claim-4', 10)).map((c) => c.conversation_id).sort()).toEqual(['c-leased', 'c-routine', 'c-urgent']);
  });

  it('settles a delivery at the tail: cursor idle, delivery delivered, its attempt kept', async () => {
    await write([aDelivery()]);
    const [c] = await outbox.claim(at(1), at(10), 'claim-1', 10);
    const done = await outbox.finish(c!, 'claim-1', 'd-0001', delivered, new Date(at(2)), at(12), 1);
    expect(done).toEqual({ holds: false, more: false });
    expect((await cursorRow()).state).toBe('idle');
    expect((await deliveryRow('d-0001')).state).toBe('delivered');
    expect((await attempts('d-0001')).map((a) => [a.attempt, a.outcome, a.status_code])).toEqual([[1, 'delivered', 200]]);
  });

  it('moves a delivered cursor on to its next pending delivery and keeps the claim, renewed', async () => {
    await write([aDelivery()]);
    const [c] = await outbox.claim(at(1), at(10), 'claim-1', 10);
    await write([aDelivery({ id: 'd-0003', seq: 3, createdAt: at(2) })]);
    const done = await outbox.finish(c!, 'claim-1', 'd-0001', delivered, new Date(at(3)), at(13), 1);
    expect(done).toEqual({ holds: true, more: true });
    expect(c!.head_seq).toBe(3);
    const cur = await cursorRow();
    expect([cur.head_seq, cur.claim_id, cur.due_at]).toEqual([3, 'claim-1', at(13)]);
    expect((await deliveryRow('d-0001')).state).toBe('delivered');
    const ctx = await outbox.loadContext(c!, new Date(at(3)));
    expect(ctx?.deliveryId).toBe('d-0003');
  });

  it('records nothing for a claim that no longer holds its cursor', async () => {
    await write([aDelivery()]);
    const [c] = await outbox.claim(at(1), at(10), 'claim-1', 10);
    // The lease ran out and another dispatcher claimed the cursor.
    const [again] = await outbox.claim(at(11), at(20), 'claim-2', 10);
    expect(again?.conversation_id).toBe('c-0001');
    const late = await outbox.finish({ ...c! } as Cursor, 'claim-1', 'd-0001', delivered, new Date(at(12)), at(22), 1);
    expect(late.holds).toBe(false);
    expect((await deliveryRow('d-0001')).state).toBe('pending');
    expect(await attempts('d-0001')).toEqual([]);
    expect((await cursorRow()).claim_id).toBe('claim-2');
  });

  it('puts a failed attempt off until its retry, and releases the claim', async () => {
    await write([aDelivery()]);
    const [c] = await outbox.claim(at(1), at(10), 'claim-1', 10);
    const done = await outbox.finish(c!, 'claim-1', 'd-0001', failedOnce, new Date(at(2)), at(12), 1);
    expect(done).toEqual({ holds: false, more: false });
    const row = await deliveryRow('d-0001');
    expect([row.state, row.attempts, row.last_error]).toEqual(['pending', 1, 'HTTP 503']);
    const cur = await cursorRow();
    expect([cur.claim_id, cur.due_at]).toEqual([null, new Date(Date.parse(at(2)) + 5_000).toISOString()]);
    expect(await outbox.claim(at(2), at(12), 'claim-2', 10)).toEqual([]);
  });

  it('parks a cursor aside and makes it due again when its recipient can be reached', async () => {
    await write([aDelivery()]);
    const [c] = await outbox.claim(at(1), at(10), 'claim-1', 10);
    await outbox.park(c!, 'claim-1', 'unverified');
    expect(await outbox.claim(at(100), at(110), 'claim-2', 10)).toEqual([]);
    expect(await outbox.unpark('acme', 'component', 'CmBot', ['unverified'], at(101))).toBe(1);
    expect((await outbox.claim(at(101), at(110), 'claim-3', 10)).map((x) => x.head_seq)).toEqual([1]);
  });

  it('replays a failed delivery at the head of its cursor, before what came after it', async () => {
    await write([aDelivery()]);
    const [c] = await outbox.claim(at(1), at(10), 'claim-1', 10);
    const exhausted: Outcome = { ...failedOnce, nextDelayMs: null, policy: { ...EXPONENTIAL_POLICY, onExhausted: 'skip' } } as Outcome;
    await write([aDelivery({ id: 'd-0002', seq: 2, createdAt: at(2) })]);
    await outbox.finish(c!, 'claim-1', 'd-0001', exhausted, new Date(at(3)), at(13), 1);
    expect((await deliveryRow('d-0001')).state).toBe('failed');
    expect(await outbox.replayFailed('acme', { id: 'd-0001' }, at(4))).toBe(1);
    const cur = await cursorRow();
    expect(cur.head_seq).toBe(1);
    expect((await deliveryRow('d-0001')).state).toBe('pending');
  });
});
