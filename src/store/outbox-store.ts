import type { ExpressionBuilder, Transaction } from 'kysely';
import { BatonError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Account, Component } from '../core/model.js';
import type { DeliveryDraft, DeliverySnapshot } from '../core/ports.js';
import { CURSOR, DELIVERY, PARKED, decideFailure } from '../delivery/outbox-states.js';
import type { AttemptRecord, ComponentHealth, Cursor, DeliveryContext, DeliveryFilter, DeliveryRecord, DeliveryView, FinishResult, OutboxGauges, OutboxPort, Outcome, ReplayFilter, Target } from '../delivery/ports.js';
import type { KyselyStore } from './kysely-store.js';
import { OutcomeBatch } from './outcome-batch.js';
import type { Database } from './schema.js';
import { type Slot, rowSlots, rowValues } from './statement-book.js';

/** A delivered outcome as the batch settles it. */
interface Delivered {
  c: Cursor;
  claimId: string;
  deliveryId: string;
  attempt: AttemptRecord | null;
  at: string;
  attemptNo: number;
  /** The renewed lease when the cursor has more queued and keeps its claim. */
  leaseUntil: string;
}

function cursorId(c: Pick<Cursor, 'account_id' | 'target_kind' | 'target_id' | 'conversation_id'>): string {
  return `${c.account_id}\u0000${c.target_kind}\u0000${c.target_id}\u0000${c.conversation_id}`;
}


function cursorKey(c: Cursor) {
  return (eb: ExpressionBuilder<Database, 'delivery_cursors'>) => eb.and([eb('account_id', '=', c.account_id), eb('target_kind', '=', c.target_kind), eb('target_id', '=', c.target_id), eb('conversation_id', '=', c.conversation_id)]);
}

/** A cursor's key as named parameters of a compiled statement. */
function cursorParams(c: Cursor): Record<string, unknown> {
  return { account_id: c.account_id, target_kind: c.target_kind, target_id: c.target_id, conversation_id: c.conversation_id };
}

/** A cursor key made of slots, for statements compiled once (store/statement-book.ts). */
function slotted(v: Slot): Cursor {
  return { account_id: v('account_id'), target_kind: v('target_kind'), target_id: v('target_id'), conversation_id: v('conversation_id'), head_seq: null };
}

/** A replay may have moved the head back below the delivery just finished; resume from there. */
function resumeAfter(finishedSeq: number, headSeq: number | null): number {
  return headSeq !== null && headSeq < finishedSeq ? headSeq - 1 : finishedSeq;
}

/**
 * The outbox's own queries: claiming cursors, loading what a delivery renders from, and
 * recording outcomes. It lives beside the core, on the same store and query layer.
 */
export class OutboxStore implements OutboxPort, OutboxGauges {
  /**
   * Recipients and accounts change only when configuration or health does; while the dispatcher
   * runs they are kept for a moment rather than read for every delivery. This process's own health
   * changes drop the entry at once; another process's are seen within `cacheMs`.
   */
  private cacheMs = 0;
  private readonly targets = new Map<string, { at: number; value: Target | null }>();
  private readonly accounts = new Map<string, { at: number; value: Account | null }>();
  /**
   * Components whose run of failures this process ended (or saw none of) lately: a success then
   * needs no reset statement. A failure recorded here drops the mark at once; one recorded by
   * another process is reset by the first success after the mark is `cacheMs` old.
   */
  private readonly clean = new Map<string, number>();

  private readonly outcomes: OutcomeBatch<Delivered, FinishResult>;

  constructor(private readonly store: KyselyStore) {
    this.outcomes = new OutcomeBatch(store.kysely, (trx, items) => this.settleDelivered(trx, items));
  }

  /** Keeps recipients and accounts for `ms` (0: read them for every delivery, as tests that change configuration need). */
  cacheFor(ms: number): void {
    this.cacheMs = ms;
  }

  private forget(accountId: string, kind: string, id: string): void {
    this.targets.delete(`${accountId}\u0000${kind}\u0000${id}`);
  }

  private async account(id: string): Promise<Account | null> {
    const hit = this.accounts.get(id);
    if (hit && performance.now() - hit.at < this.cacheMs) return hit.value;
    const value = (await this.store.getAccount(id)) ?? null;
    if (this.cacheMs > 0) this.accounts.set(id, { at: performance.now(), value });
    return value;
  }

  /** The context of a delivery this process leased at insert: built from its snapshot, nothing read but the cached recipient. */
  async leasedContext(d: DeliveryDraft, now: Date): Promise<DeliveryContext | null> {
    return this.fromSnapshot(d.accountId, d.target.kind, d.target.id, d.id, 1, 0, d.forReply, d.snapshot, now);
  }

  private async fromSnapshot(accountId: string, kind: string, targetId: string, deliveryId: string, attempt: number, partsSent: number, forReply: boolean, snap: DeliverySnapshot, now: Date): Promise<DeliveryContext | null> {
    const [account, target] = await Promise.all([this.account(accountId), this.target({ account_id: accountId, target_kind: kind, target_id: targetId })]);
    if (!account || !target) return null;
    return { deliveryId, attempt, partsSent, forReply, account, conversation: snap.conversation, event: snap.event, message: snap.message, target, now };
  }

  private get db() {
    return this.store.kysely;
  }

  private get book() {
    return this.store.capabilities.statements;
  }

  /**
   * Takes up to `limit` cursors whose head is due. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets
   * several dispatchers claim at once without waiting on, or taking, each other's rows; SQLite has
   * one writer, so the select-then-update runs alone. A claimed cursor's `due_at` becomes the end
   * of its lease: if its dispatcher dies, it is simply due again when the lease runs out.
   */
  async claim(now: string, leaseUntil: string, claimId: string, limit: number): Promise<Cursor[]> {
    // Most wake-ups find nothing due (the new work went to a parked or busy cursor): a plain read
    // answers that without opening a write transaction.
    const any = await this.db.selectFrom('delivery_cursors').select('target_id').where('due_at', '<=', now).limit(1).executeTakeFirst();
    if (!any) return [];
    return this.db.transaction().execute(async (trx) => {
      // Heads a person waits for go first, so a burst of control events of other conversations
      // never holds up a customer's message (fair claims); within each, oldest due first.
      let q = trx.selectFrom('delivery_cursors').select(['account_id', 'target_kind', 'target_id', 'conversation_id', 'head_seq']).where('due_at', '<=', now).orderBy('urgent', 'desc').orderBy('due_at').limit(limit);
      if (this.store.capabilities.rowLocks) q = q.forUpdate().skipLocked();
      const due = await q.execute();
      for (const c of due) {
        await trx.updateTable('delivery_cursors').set({ claim_id: claimId, due_at: leaseUntil }).where(cursorKey(c)).execute();
      }
      return due;
    });
  }

  async loadContext(c: Cursor, now: Date): Promise<DeliveryContext | null> {
    if (c.head_seq === null) return null;
    const { rows: [delivery] } = await this.book.run(this.db, 'deliveries.head', c, (v) => this.db.selectFrom('deliveries').selectAll()
      .where('account_id', '=', v('account_id')).where('target_kind', '=', v('target_kind')).where('target_id', '=', v('target_id'))
      .where('conversation_id', '=', v('conversation_id')).where('seq', '=', v('head_seq')).where('state', '=', DELIVERY.pending));
    if (!delivery) return null;
    if (delivery.payload) {
      return this.fromSnapshot(c.account_id, c.target_kind, c.target_id, delivery.id, delivery.attempts + 1, delivery.parts_sent ?? 0, delivery.for_reply === 1, JSON.parse(delivery.payload) as DeliverySnapshot, now);
    }
    // Written before snapshots existed: rebuilt from the rows, as it was rendered then.
    const [event, conversation, account, target] = await Promise.all([
      this.store.getEvent(c.account_id, c.conversation_id, c.head_seq),
      this.store.getConversation(c.account_id, c.conversation_id),
      this.store.getAccount(c.account_id),
      this.target(c),
    ]);
    if (!event || !conversation || !account || !target) return null;
    const messageId = event.data.messageId;
    const message = typeof messageId === 'string' ? (await this.store.getMessage(c.account_id, messageId)) ?? null : null;
    return { deliveryId: delivery.id, attempt: delivery.attempts + 1, partsSent: delivery.parts_sent ?? 0, forReply: delivery.for_reply === 1, account, conversation, event, message, target, now };
  }

  async target(c: Pick<Cursor, 'account_id' | 'target_kind' | 'target_id'>): Promise<Target | null> {
    const key = `${c.account_id}\u0000${c.target_kind}\u0000${c.target_id}`;
    const hit = this.targets.get(key);
    if (hit && performance.now() - hit.at < this.cacheMs) return hit.value;
    const value = await this.readTarget(c);
    if (this.cacheMs > 0) this.targets.set(key, { at: performance.now(), value });
    return value;
  }

  private async readTarget(c: Pick<Cursor, 'account_id' | 'target_kind' | 'target_id'>): Promise<Target | null> {
    if (c.target_kind === 'channel') {
      const channel = await this.store.getChannel(c.account_id, c.target_id);
      return channel ? { kind: 'channel', channel } : null;
    }
    const component = await this.store.getComponent(c.account_id, c.target_id);
    return component ? { kind: 'component', component } : null;
  }

  /** Sets a cursor aside until its recipient can be reached (verified, or given an endpoint). */
  async park(c: Cursor, claimId: string, reason: string): Promise<void> {
    await this.db.updateTable('delivery_cursors').set({ state: CURSOR.parked, due_at: null, claim_id: null, parked_reason: reason }).where(cursorKey(c)).where('claim_id', '=', claimId).execute();
  }

  /** Records an attempt's outcome, only while `claimId` still holds the cursor, and moves the cursor on. */
  async finish(c: Cursor, claimId: string, deliveryId: string, outcome: Outcome, now: Date, leaseUntil: string, attemptNo: number): Promise<FinishResult> {
    const at = now.toISOString();
    // The common case, a delivery that was the last one written for its cursor, is settled with
    // the others of its batch (settleDelivered); the rest, or that case when the cursor moved on, here.
    const fast = outcome.kind === 'delivered' && c.head_seq !== null ? { c, claimId, deliveryId, attempt: outcome.attempt, at, attemptNo, leaseUntil } : undefined;
    return this.outcomes.run(async (trx) => {
      const { rows: [cur] } = await this.book.run(trx, 'cursors.lock', c, (v) => {
        const q = trx.selectFrom('delivery_cursors').select(['claim_id', 'head_seq']).where(cursorKey(slotted(v)));
        return this.store.capabilities.rowLocks ? q.forUpdate() : q;
      });
      if (!cur || cur.claim_id !== claimId) return { holds: false, more: false };
      const { rows: [delivery] } = await this.book.run(trx, 'deliveries.progress', { deliveryId }, (v) => trx.selectFrom('deliveries').select(['attempts', 'seq']).where('id', '=', v('deliveryId')));
      if (!delivery) throw new Error(`delivery ${deliveryId} is gone`);
      const attempts = delivery.attempts + (outcome.attempt ? 1 : 0);
      if (outcome.kind === 'delivered') {
        await this.recordDelivered(trx, [{ c, claimId, deliveryId, attempt: outcome.attempt, at, attemptNo: attempts, leaseUntil }]);
        return this.advance(trx, c, resumeAfter(delivery.seq, cur.head_seq), claimId, leaseUntil);
      }
      if (outcome.attempt) {
        await trx.insertInto('delivery_attempts').values({ id: newId(), delivery_id: deliveryId, account_id: c.account_id, attempt: attempts, at, outcome: outcome.kind, status_code: outcome.attempt.statusCode, latency_ms: outcome.attempt.latencyMs, error: outcome.attempt.error }).execute();
      }
      const error = outcome.attempt.error ?? 'failed';
      let failures = 0;
      if (c.target_kind === 'component') {
        this.clean.delete(`${c.account_id}\u0000${c.target_id}`);
        await trx.updateTable('components').set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1), last_error: error, last_failure_at: at })).where('account_id', '=', c.account_id).where('id', '=', c.target_id).execute();
        const comp = await trx.selectFrom('components').select('consecutive_failures').where('account_id', '=', c.account_id).where('id', '=', c.target_id).executeTakeFirst();
        failures = comp?.consecutive_failures ?? 0;
      }
      const decision = decideFailure({ disable: outcome.disable, breakAfter: outcome.breakAfter, failures, nextDelayMs: outcome.nextDelayMs, onExhausted: outcome.policy.onExhausted });
      const parts = outcome.partsSent ?? 0;
      if (decision.kind === 'break') {
        if (c.target_kind === 'component') await trx.updateTable('components').set({ health: 'inactive' }).where('account_id', '=', c.account_id).where('id', '=', c.target_id).execute();
        // A channel that answers 410 is gone: switched off (it accepts no messages either) and said
        // so in its health; switching it on again releases what was held for it, in order.
        if (c.target_kind === 'channel') {
          await trx.updateTable('channels').set({ active: 0, reachability_warning: `The channel's server answered ${error}; it is switched off until you switch it on again.`, reachability_checked_at: at }).where('account_id', '=', c.account_id).where('id', '=', c.target_id).execute();
        }
        this.forget(c.account_id, c.target_kind, c.target_id);
        // The endpoint is switched off: this delivery waits, pending, at the head until re-verification.
        await trx.updateTable('deliveries').set({ attempts, last_error: error, parts_sent: parts }).where('id', '=', deliveryId).execute();
        await trx.updateTable('delivery_cursors').set({ state: CURSOR.parked, due_at: null, claim_id: null, parked_reason: PARKED.inactive }).where(cursorKey(c)).execute();
        return { holds: false, more: false, broke: true };
      }
      if (decision.kind === 'retry') {
        const due = new Date(now.getTime() + decision.delayMs).toISOString();
        await trx.updateTable('deliveries').set({ attempts, last_error: error, next_attempt_at: due, parts_sent: parts }).where('id', '=', deliveryId).execute();
        await trx.updateTable('delivery_cursors').set({ due_at: due, claim_id: null }).where(cursorKey(c)).execute();
        return { holds: false, more: false };
      }
      await trx.updateTable('deliveries').set({ state: DELIVERY.failed, attempts, last_error: error, parts_sent: parts }).where('id', '=', deliveryId).execute();
      if (decision.kind === 'block') {
        await trx.updateTable('delivery_cursors').set({ state: CURSOR.blocked, due_at: null, claim_id: null, parked_reason: `delivery ${deliveryId} failed: ${error}` }).where(cursorKey(c)).execute();
        return { holds: false, more: false };
      }
      return this.advance(trx, c, resumeAfter(delivery.seq, cur.head_seq), claimId, leaseUntil);
    }, fast);
  }

  /**
   * Delivered deliveries, settled for the whole batch. Cursors with nothing more queued are left
   * idle by one update (each only if its claim still holds it and nothing was written after it);
   * the others move their head to the next pending delivery and keep their claim, one statement
   * each. Then one update marks them all delivered and one insert keeps their attempts. A cursor
   * whose claim was lost or whose head a replay moved goes the long way (`finish`).
   */
  private async settleDelivered(trx: Transaction<Database>, items: Delivered[]): Promise<(FinishResult | null)[]> {
    const keys = items.map(({ c, claimId }) => ({ account_id: c.account_id, target_kind: c.target_kind, target_id: c.target_id, conversation_id: c.conversation_id, claim_id: claimId, head_seq: c.head_seq }));
    const { rows: idled } = await this.book.run(trx, `cursors.idleAtTail:${keys.length}`, rowValues(keys), (v) => trx.updateTable('delivery_cursors').set({ state: CURSOR.idle, head_seq: null, due_at: null, claim_id: null, parked_reason: null, urgent: 0 })
      .where((eb) => eb.or(keys.map((_, i) => {
        const k = rowSlots(v, i, ['account_id', 'target_kind', 'target_id', 'conversation_id', 'claim_id', 'head_seq']);
        return eb.and([eb('account_id', '=', k.account_id), eb('target_kind', '=', k.target_kind), eb('target_id', '=', k.target_id), eb('conversation_id', '=', k.conversation_id), eb('claim_id', '=', k.claim_id), eb('head_seq', '=', k.head_seq), eb('tail_seq', '=', k.head_seq)]);
      })))
      .returning(['account_id', 'target_kind', 'target_id', 'conversation_id']));
    const idle = new Set(idled.map((r) => cursorId(r)));
    const results: (FinishResult | null)[] = items.map((d) => (idle.has(cursorId(d.c)) ? { holds: false, more: false } : null));
    for (const [i, d] of items.entries()) {
      if (results[i] !== null) continue;
      const next = await this.advanceDelivered(trx, d);
      if (next === null) continue;
      d.c.head_seq = next;
      results[i] = { holds: true, more: true };
    }
    const done = items.filter((_, i) => results[i] !== null);
    if (done.length > 0) await this.recordDelivered(trx, done);
    return results;
  }

  /**
   * Moves a delivered cursor's head to its next pending delivery, renewing the claim, in one
   * statement; null when the claim no longer holds, a replay moved the head, or nothing is pending.
   */
  private async advanceDelivered(trx: Transaction<Database>, d: Delivered): Promise<number | null> {
    const params = { ...cursorParams(d.c), claimId: d.claimId, seq: d.c.head_seq, leaseUntil: d.leaseUntil, pending: DELIVERY.pending };
    const { rows: [moved] } = await this.book.run(trx, 'cursors.advanceDelivered', params, (v) => {
      // Pending deliveries after the head, of the cursor being updated.
      const pendingAfter = (eb: ExpressionBuilder<Database, 'delivery_cursors'>) => eb.selectFrom('deliveries')
        .whereRef('deliveries.account_id', '=', 'delivery_cursors.account_id').whereRef('deliveries.target_kind', '=', 'delivery_cursors.target_kind')
        .whereRef('deliveries.target_id', '=', 'delivery_cursors.target_id').whereRef('deliveries.conversation_id', '=', 'delivery_cursors.conversation_id')
        .where('deliveries.seq', '>', v('seq')).where('deliveries.state', '=', v('pending'));
      return trx.updateTable('delivery_cursors')
        .set((eb) => ({ head_seq: pendingAfter(eb).select((e) => e.fn.min('deliveries.seq').as('seq')), due_at: v('leaseUntil'), claim_id: v('claimId') }))
        .where(cursorKey(slotted(v))).where('claim_id', '=', v('claimId')).where('head_seq', '=', v('seq'))
        .where((eb) => eb.exists(pendingAfter(eb).select('deliveries.seq')))
        .returning('head_seq');
    });
    return moved?.head_seq ?? null;
  }

  /** The deliveries are done: their attempts are kept, and their recipients' runs of failures end. */
  private async recordDelivered(trx: Transaction<Database>, done: Delivered[]): Promise<void> {
    const at = done.reduce((latest, d) => (d.at > latest ? d.at : latest), done[0]!.at);
    for (const attempted of [true, false]) {
      const ids = done.filter((d) => (d.attempt !== null) === attempted).map((d) => d.deliveryId);
      if (ids.length === 0) continue;
      await this.book.run(trx, `deliveries.delivered:${attempted}:${ids.length}`, { at, ...rowValues(ids.map((id) => ({ id }))) }, (v) => trx.updateTable('deliveries')
        .set((eb) => ({ state: DELIVERY.delivered, attempts: eb('attempts', '+', attempted ? 1 : 0), delivered_at: v('at'), last_error: null }))
        .where('id', 'in', ids.map((_, i) => v<string>(`${i}.id`))));
    }
    const attempts = done.filter((d) => d.attempt !== null);
    if (attempts.length === 0) return;
    const rows = attempts.map((d) => ({ id: newId(), delivery_id: d.deliveryId, account_id: d.c.account_id, attempt: d.attemptNo, at: d.at, status_code: d.attempt!.statusCode, latency_ms: d.attempt!.latencyMs, error: d.attempt!.error }));
    await this.book.run(trx, `attempts.delivered:${rows.length}`, rowValues(rows), (v) => trx.insertInto('delivery_attempts')
      .values(rows.map((_, i) => ({ ...rowSlots(v, i, ['id', 'delivery_id', 'account_id', 'attempt', 'at', 'status_code', 'latency_ms', 'error']), outcome: 'delivered' }))));
    const components = new Map(attempts.filter((d) => d.c.target_kind === 'component').map((d) => [`${d.c.account_id}\u0000${d.c.target_id}`, d.c]));
    for (const [key, c] of components) {
      const since = this.clean.get(key);
      if (since !== undefined && performance.now() - since < this.cacheMs) continue;
      await trx.updateTable('components').set({ consecutive_failures: 0 }).where('account_id', '=', c.account_id).where('id', '=', c.target_id).where('consecutive_failures', '>', 0).execute();
      if (this.cacheMs > 0) this.clean.set(key, performance.now());
    }
  }

  /** Moves the head to the next pending delivery; keeps the claim (renewed) when there is one. */
  private async advance(trx: Transaction<Database>, c: Cursor, after: number, claimId: string, leaseUntil: string): Promise<FinishResult> {
    const { rows: [next] } = await this.book.run(trx, 'deliveries.next', { ...c, after }, (v) => trx.selectFrom('deliveries').select('seq')
      .where('account_id', '=', v('account_id')).where('target_kind', '=', v('target_kind')).where('target_id', '=', v('target_id'))
      .where('conversation_id', '=', v('conversation_id')).where('seq', '>', v('after')).where('state', '=', DELIVERY.pending)
      .orderBy('seq').limit(1));
    if (!next) {
      await this.book.run(trx, 'cursors.idle', c, (v) => trx.updateTable('delivery_cursors').set({ state: CURSOR.idle, head_seq: null, due_at: null, claim_id: null, parked_reason: null }).where(cursorKey(slotted(v))));
      return { holds: false, more: false };
    }
    await this.book.run(trx, 'cursors.advance', { ...c, seq: next.seq, leaseUntil, claimId }, (v) => trx.updateTable('delivery_cursors').set({ head_seq: v('seq'), due_at: v('leaseUntil'), claim_id: v('claimId') }).where(cursorKey(slotted(v))));
    c.head_seq = next.seq;
    return { holds: true, more: true };
  }

  /** Re-points a held cursor at its oldest pending delivery (after a replay or a lost head). */
  async resync(c: Cursor, claimId: string, leaseUntil: string): Promise<FinishResult> {
    return this.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('delivery_cursors').select('claim_id').where(cursorKey(c));
      if (this.store.capabilities.rowLocks) q = q.forUpdate();
      const cur = await q.executeTakeFirst();
      if (!cur || cur.claim_id !== claimId) return { holds: false, more: false };
      return this.advance(trx, c, -1, claimId, leaseUntil);
    });
  }

  /** Lets a dispatcher hand back a cursor it holds but will not work on now. */
  async release(c: Cursor, claimId: string, dueAt: string): Promise<void> {
    await this.db.updateTable('delivery_cursors').set({ due_at: dueAt, claim_id: null }).where(cursorKey(c)).where('claim_id', '=', claimId).execute();
  }

  /** Parked cursors of a recipient become due again (after verification, or a new endpoint). */
  async unpark(accountId: string, targetKind: string, targetId: string | null, reasons: string[], now: string): Promise<number> {
    let q = this.db.updateTable('delivery_cursors').set({ state: CURSOR.ready, due_at: now, parked_reason: null }).where('account_id', '=', accountId).where('target_kind', '=', targetKind).where('state', '=', CURSOR.parked).where('parked_reason', 'in', reasons);
    if (targetId !== null) q = q.where('target_id', '=', targetId);
    const res = await q.executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async setHealth(component: Pick<Component, 'accountId' | 'id'>, health: Component['health']): Promise<void> {
    this.forget(component.accountId, 'component', component.id);
    this.clean.delete(`${component.accountId}\u0000${component.id}`);
    await this.db.updateTable('components').set({ health, ...(health === 'active' ? { consecutive_failures: 0 } : {}) }).where('account_id', '=', component.accountId).where('id', '=', component.id).execute();
  }

  async backlog(): Promise<{ accountId: string; targetKind: string; targetId: string; pending: number }[]> {
    const rows = await this.db.selectFrom('deliveries').select(['account_id', 'target_kind', 'target_id', (eb) => eb.fn.countAll().as('n')]).where('state', '=', DELIVERY.pending).groupBy(['account_id', 'target_kind', 'target_id']).execute();
    return rows.map((r) => ({ accountId: r.account_id, targetKind: r.target_kind, targetId: r.target_id, pending: Number(r.n) }));
  }

  async inactiveComponents(): Promise<number> {
    const row = await this.db.selectFrom('components').select((eb) => eb.fn.countAll().as('n')).where('health', '=', 'inactive').executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async deliveriesByState(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('deliveries').select(['state', (eb) => eb.fn.countAll().as('n')]).where('state', 'in', [DELIVERY.pending, DELIVERY.failed]).groupBy('state').execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  sqlCounters(): { statements: number; commits: number } {
    return this.store.capabilities.counters;
  }

  async componentHealth(accountId: string, componentId: string, now: Date): Promise<ComponentHealth | undefined> {
    const comp = await this.db.selectFrom('components').select(['id', 'health', 'consecutive_failures', 'last_error', 'last_failure_at']).where('account_id', '=', accountId).where('id', '=', componentId).executeTakeFirst();
    if (!comp) return undefined;
    const pending = await this.db.selectFrom('deliveries').select([(eb) => eb.fn.countAll().as('n'), (eb) => eb.fn.min('created_at').as('oldest')])
      .where('account_id', '=', accountId).where('target_kind', '=', 'component').where('target_id', '=', componentId).where('state', '=', 'pending').executeTakeFirst();
    const blocked = await this.db.selectFrom('delivery_cursors').select((eb) => eb.fn.countAll().as('n'))
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

  async listDeliveries(accountId: string, f: DeliveryFilter): Promise<DeliveryView[]> {
    let q = this.db.selectFrom('deliveries').selectAll().where('account_id', '=', accountId);
    if (f.targetKind) q = q.where('target_kind', '=', f.targetKind);
    if (f.targetId) q = q.where('target_id', '=', f.targetId);
    if (f.state) q = q.where('state', '=', f.state);
    if (f.conversationId) q = q.where('conversation_id', '=', f.conversationId);
    return (await q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).execute()).map(toView);
  }

  async getDelivery(accountId: string, id: string): Promise<DeliveryRecord | undefined> {
    const row = await this.db.selectFrom('deliveries').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const attempts = await this.db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', id).orderBy('attempt').execute();
    return { ...toView(row), attemptLog: attempts.map((a) => ({ attempt: a.attempt, at: a.at, outcome: a.outcome, statusCode: a.status_code, latencyMs: a.latency_ms, error: a.error })) };
  }

  /** Puts failed deliveries back at the head of their cursors, and releases held ones whose recipient can be reached; returns how many. */
  async replayFailed(accountId: string, filter: ReplayFilter, now: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
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
      return failed.length + (await this.releaseParked(trx, accountId, filter, now));
    });
  }

  /**
   * Pending deliveries held at the head of a parked cursor (the recipient was switched off or
   * answered 410) go out again when their recipient can be reached now; a replay that names one
   * whose recipient is still off says what to do instead.
   */
  private async releaseParked(trx: Transaction<Database>, accountId: string, filter: ReplayFilter, now: string): Promise<number> {
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
