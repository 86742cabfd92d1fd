import type { Transaction } from 'kysely';
import { newId } from '../core/ids.js';
import type { Account, Component } from '../core/model.js';
import type { DeliveryDraft, DeliverySnapshot } from '../core/ports.js';
import { CURSOR, DELIVERY, PARKED, decideFailure } from '../delivery/outbox-states.js';
import type { ComponentHealth, Cursor, DeliveryContext, DeliveryFilter, DeliveryRecord, DeliveryView, FinishResult, OutboxGauges, OutboxPort, Outcome, ReplayFilter, Target } from '../delivery/ports.js';
import type { KyselyStore } from './kysely-store.js';
import { DeliveredLedger } from './delivered-ledger.js';
import { type Delivered, cursorKey, resumeAfter, slotted } from './outbox-cursors.js';
import { OutcomeBatch } from './outcome-batch.js';
import * as reports from './outbox-reports.js';
import type { Database } from './schema.js';

/** Snapshots kept in memory at most (see OutboxStore.written): a few MB. */
const WRITTEN_BOUND = 5000;
const WRITTEN_MS = 5000;

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
  private readonly ledger: DeliveredLedger;
  /**
   * Snapshots of deliveries this process wrote behind a busy cursor, by delivery id: when the
   * cursor reaches one, its row is read without the payload. A snapshot never changes after
   * commit, and the attempt count and parts sent always come from the row, so a snapshot is right
   * whichever process sent earlier attempts. Bounded in count and age (an erasure rewrites the
   * row's payload: a snapshot older than an in-flight send is not used); the rest is read from the row.
   */
  private readonly written = new Map<string, { at: number; snapshot: DeliverySnapshot }>();

  private readonly outcomes: OutcomeBatch<Delivered, FinishResult>;

  constructor(private readonly store: KyselyStore) {
    this.ledger = new DeliveredLedger(store, () => this.cacheMs);
    this.outcomes = new OutcomeBatch(store.kysely, (trx, items) => this.ledger.settle(trx, items));
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

  /** Keeps the snapshots of deliveries just committed behind a busy cursor (see `written`). */
  remember(drafts: readonly DeliveryDraft[]): void {
    if (this.cacheMs === 0) return;
    const at = performance.now();
    for (const d of drafts) this.written.set(d.id, { at, snapshot: d.snapshot });
    for (const id of this.written.keys()) {
      if (this.written.size <= WRITTEN_BOUND) break;
      this.written.delete(id);
    }
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
    const { rows: [delivery] } = await this.book.run(this.db, 'deliveries.headRow', c, (v) => this.db.selectFrom('deliveries').select(['id', 'attempts', 'parts_sent', 'for_reply'])
      .where('account_id', '=', v('account_id')).where('target_kind', '=', v('target_kind')).where('target_id', '=', v('target_id'))
      .where('conversation_id', '=', v('conversation_id')).where('seq', '=', v('head_seq')).where('state', '=', DELIVERY.pending));
    if (!delivery) return null;
    const kept = this.written.get(delivery.id);
    if (kept) this.written.delete(delivery.id);
    let snapshot = kept && performance.now() - kept.at < WRITTEN_MS ? kept.snapshot : undefined;
    if (!snapshot) {
      const { rows: [row] } = await this.book.run(this.db, 'deliveries.payload', { id: delivery.id }, (v) => this.db.selectFrom('deliveries').select('payload').where('id', '=', v('id')));
      if (!row) return null;
      if (row.payload) snapshot = JSON.parse(row.payload) as DeliverySnapshot;
    }
    if (snapshot) {
      return this.fromSnapshot(c.account_id, c.target_kind, c.target_id, delivery.id, delivery.attempts + 1, delivery.parts_sent ?? 0, delivery.for_reply === 1, snapshot, now);
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
        await this.ledger.record(trx, [{ c, claimId, deliveryId, attempt: outcome.attempt, at, attemptNo: attempts, leaseUntil }]);
        return this.advance(trx, c, resumeAfter(delivery.seq, cur.head_seq), claimId, leaseUntil);
      }
      if (outcome.attempt) {
        await trx.insertInto('delivery_attempts').values({ id: newId(), delivery_id: deliveryId, account_id: c.account_id, attempt: attempts, at, outcome: outcome.kind, status_code: outcome.attempt.statusCode, latency_ms: outcome.attempt.latencyMs, error: outcome.attempt.error }).execute();
      }
      const error = outcome.attempt.error ?? 'failed';
      let failures = 0;
      if (c.target_kind === 'component') {
        this.ledger.dirty(c.account_id, c.target_id);
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
    this.ledger.dirty(component.accountId, component.id);
    await this.db.updateTable('components').set({ health, ...(health === 'active' ? { consecutive_failures: 0 } : {}) }).where('account_id', '=', component.accountId).where('id', '=', component.id).execute();
  }

  backlog(): Promise<{ accountId: string; targetKind: string; targetId: string; pending: number }[]> {
    return reports.backlog(this.db);
  }

  inactiveComponents(): Promise<number> {
    return reports.inactiveComponents(this.db);
  }

  deliveriesByState(): Promise<Record<string, number>> {
    return reports.deliveriesByState(this.db);
  }

  sqlCounters(): { statements: number; commits: number } {
    return this.store.capabilities.counters;
  }

  componentHealth(accountId: string, componentId: string, now: Date): Promise<ComponentHealth | undefined> {
    return reports.componentHealth(this.db, accountId, componentId, now);
  }

  listDeliveries(accountId: string, f: DeliveryFilter): Promise<DeliveryView[]> {
    return reports.listDeliveries(this.db, accountId, f);
  }

  getDelivery(accountId: string, id: string): Promise<DeliveryRecord | undefined> {
    return reports.getDelivery(this.db, accountId, id);
  }

  replayFailed(accountId: string, filter: ReplayFilter, now: string): Promise<number> {
    return reports.replayFailed(this.db, accountId, filter, now);
  }
}
