import type { Kysely, Transaction } from 'kysely';
import { BatonError } from '../core/errors.js';
import { CURSOR, DELIVERY } from '../delivery/outbox-states.js';
import type { ComponentHealth, DeliveryFilter, DeliveryRecord, DeliveryView, ReplayFilter } from '../delivery/ports.js';
import type { Database } from './schema.js';

/**
 * What operators read of the outbox (health, listings, gauges for /metrics) and the replay they
 * start: none of it is on the path of a delivery.
 */

export async function backlog(db: Kysely<Database>): Promise<{ accountId: string; targetKind: string; targetId: string; pending: number }[]> {
  const rows = await db.selectFrom('deliveries').select(['account_id', 'target_kind', 'target_id', (eb) => eb.fn.countAll().as('n')]).where('state', '=', DELIVERY.pending).groupBy(['account_id', 'target_kind', 'target_id']).execute();
  return rows.map((r) => ({ accountId: r.account_id, targetKind: r.target_kind, targetId: r.target_id, pending: Number(r.n) }));
}

export async function inactiveComponents(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('components').select((eb) => eb.fn.countAll().as('n')).where('health', '=', 'inactive').executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function deliveriesByState(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db.selectFrom('deliveries').select(['state', (eb) => eb.fn.countAll().as('n')]).where('state', 'in', [DELIVERY.pending, DELIVERY.failed]).groupBy('state').execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

export async function componentHealth(db: Kysely<Database>, accountId: string, componentId: string, now: Date): Promise<ComponentHealth | undefined> {
  const comp = await db.selectFrom('components').select(['id', 'health', 'consecutive_failures', 'last_error', 'last_failure_at']).where('account_id', '=', accountId).where('id', '=', componentId).executeTakeFirst();
  if (!comp) return undefined;
  const pending = await db.selectFrom('deliveries').select([(eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.min('created_at').as('oldest')])
    .where('account_id', '=', accountId).where('target_kind', '=', 'component').where('target_id', '=', componentId).where('state', '=', 'pending').executeTakeFirst();
  const blocked = await db.selectFrom('delivery_cursors').select((eb) => eb.fn.countAll().as('n'))
    .where('account_id', '=', accountId).where('target_kind', '=', 'component').where('target_id', '=', componentId).where('state', '=', 'blocked').executeTakeFirst();
  const oldest = pending?.oldest as string | null | undefined;
  return {
    componentId,
    state: comp.health,
    consecutiveFailures: comp.consecutive_failures ?? 0,
    lastError: comp.last_error ?? null,
    lastFailureAt: comp.last_failure_at ?? null,
    backlog: Number(pending?.n ?? 0),
    oldestPendingAgeSeconds: oldest ? Math.max(0, Math.round((now.getTime() - Date.parse(oldest)) / 1000)) : null,
    blockedConversations: Number(blocked?.n ?? 0),
  };
}

export async function listDeliveries(db: Kysely<Database>, accountId: string, f: DeliveryFilter): Promise<DeliveryView[]> {
  let q = db.selectFrom('deliveries').selectAll().where('account_id', '=', accountId);
  if (f.targetKind) q = q.where('target_kind', '=', f.targetKind);
  if (f.targetId) q = q.where('target_id', '=', f.targetId);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.conversationId) q = q.where('conversation_id', '=', f.conversationId);
  return (await q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).execute()).map(toView);
}

export async function getDelivery(db: Kysely<Database>, accountId: string, id: string): Promise<DeliveryRecord | undefined> {
  const row = await db.selectFrom('deliveries').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const attempts = await db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', id).orderBy('attempt').execute();
  return { ...toView(row), attemptLog: attempts.map((a) => ({ attempt: a.attempt, at: a.at, outcome: a.outcome, statusCode: a.status_code, latencyMs: a.latency_ms, error: a.error })) };
}

/** Puts failed deliveries back at the head of their cursors, and releases held ones whose recipient can be reached; returns how many. */
export async function replayFailed(db: Kysely<Database>, accountId: string, filter: ReplayFilter, now: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let q = trx.selectFrom('deliveries').select(['id', 'account_id', 'target_kind', 'target_id', 'conversation_id', 'seq']).where('account_id', '=', accountId).where('state', '=', DELIVERY.failed);
    if (filter.id) q = q.where('id', '=', filter.id);
    if (filter.componentId) q = q.where('target_kind', '=', 'component').where('target_id', '=', filter.componentId);
    if (filter.since) q = q.where('created_at', '>=', filter.since);
    const failed = await q.orderBy('seq').execute();
    for (const d of failed) {
      await trx.updateTable('deliveries').set({ state: DELIVERY.pending, next_attempt_at: now }).where('id', '=', d.id).execute();
      const key = { account_id: d.account_id, target_kind: d.target_kind, target_id: d.target_id, conversation_id: d.conversation_id };
      const cur = await trx.selectFrom('delivery_cursors').select(['state', 'head_seq']).where('account_id', '=', key.account_id).where('target_kind', '=', key.target_kind).where('target_id', '=', key.target_id).where('conversation_id', '=', key.conversation_id).executeTakeFirst();
      const head = cur?.head_seq === null || cur?.head_seq === undefined ? d.seq : Math.min(cur.head_seq, d.seq);
      const state = cur?.state === CURSOR.parked ? CURSOR.parked : CURSOR.ready;
      await trx.updateTable('delivery_cursors').set({ head_seq: head, state, ...(state === CURSOR.ready && cur?.state !== CURSOR.ready ? { due_at: now, parked_reason: null } : {}) })
        .where('account_id', '=', key.account_id).where('target_kind', '=', key.target_kind).where('target_id', '=', key.target_id).where('conversation_id', '=', key.conversation_id).execute();
    }
    return failed.length + (await releaseParked(trx, accountId, filter, now));
  });
}

/**
 * Pending deliveries held at the head of a parked cursor (the recipient was switched off or
 * answered 410) go out again when their recipient can be reached now; a replay that names one
 * whose recipient is still off says what to do instead.
 */
async function releaseParked(trx: Transaction<Database>, accountId: string, filter: ReplayFilter, now: string): Promise<number> {
  let q = trx.selectFrom('deliveries as d')
    .innerJoin('delivery_cursors as c', (j) => j.onRef('c.account_id', '=', 'd.account_id').onRef('c.target_kind', '=', 'd.target_kind').onRef('c.target_id', '=', 'd.target_id').onRef('c.conversation_id', '=', 'd.conversation_id').onRef('c.head_seq', '=', 'd.seq'))
    .select(['d.target_kind', 'd.target_id', 'd.conversation_id']).where('d.account_id', '=', accountId).where('d.state', '=', 'pending').where('c.state', '=', 'parked');
  if (filter.id) q = q.where('d.id', '=', filter.id);
  if (filter.componentId) q = q.where('d.target_kind', '=', 'component').where('d.target_id', '=', filter.componentId);
  if (filter.since) q = q.where('d.created_at', '>=', filter.since);
  let released = 0;
  for (const p of await q.execute()) {
    const reachable = p.target_kind === 'channel'
      ? (await trx.selectFrom('channels').select('active').where('account_id', '=', accountId).where('id', '=', p.target_id).executeTakeFirst())?.active === 1
      : (await trx.selectFrom('components').select('health').where('account_id', '=', accountId).where('id', '=', p.target_id).executeTakeFirst())?.health === 'active';
    if (!reachable) {
      if (filter.id) throw new BatonError('invalid_transition', `Delivery ${filter.id} is held because its ${p.target_kind} ${p.target_id} is switched off; ${p.target_kind === 'channel' ? 'switch the channel on' : 'verify the component'} to send it and what follows it, in order.`);
      continue;
    }
    await trx.updateTable('delivery_cursors').set({ state: 'ready', due_at: now, parked_reason: null })
      .where('account_id', '=', accountId).where('target_kind', '=', p.target_kind).where('target_id', '=', p.target_id).where('conversation_id', '=', p.conversation_id).where('state', '=', 'parked').execute();
    released++;
  }
  return released;
}

function toView(r: { id: string; conversation_id: string; seq: number; event_type: string; target_kind: string; target_id: string; for_reply: number; state: string; attempts: number; next_attempt_at: string; created_at: string; delivered_at?: string | null; last_error: string | null }): DeliveryView {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    eventType: r.event_type,
    target: { kind: r.target_kind, id: r.target_id },
    forReply: r.for_reply === 1,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at ?? null,
    lastError: r.last_error,
  };
}
