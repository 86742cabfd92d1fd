import type { ExpressionBuilder, Transaction } from 'kysely';
import { newId } from '../core/ids.js';
import { CURSOR, DELIVERY } from '../delivery/outbox-states.js';
import type { FinishResult } from '../delivery/ports.js';
import type { KyselyStore } from './kysely-store.js';
import { type Delivered, cursorId, cursorKey, cursorParams, slotted } from './outbox-cursors.js';
import type { Database } from './schema.js';
import { rowSlots, rowValues } from './statement-book.js';

/**
 * Delivered outcomes, recorded for a whole batch of them (store/outcome-batch.ts) in a few
 * multi-row statements: the common case of every delivery, so the one kept cheapest.
 */
export class DeliveredLedger {
  /**
   * Components whose run of failures this process ended (or saw none of) lately: a success then
   * needs no reset statement. A failure recorded here drops the mark at once (`dirty`); one
   * recorded by another process is reset by the first success after the mark is `cacheMs` old.
   */
  private readonly clean = new Map<string, number>();

  constructor(private readonly store: KyselyStore, private readonly cacheMs: () => number) {}

  private get book() {
    return this.store.capabilities.statements;
  }

  /** A failure of this component was recorded: its next success resets the count. */
  dirty(accountId: string, componentId: string): void {
    this.clean.delete(`${accountId}\u0000${componentId}`);
  }

  /**
   * Delivered deliveries, settled for the whole batch. Cursors with nothing more queued are left
   * idle by one update (each only if its claim still holds it and nothing was written after it);
   * the others move their head to the next pending delivery and keep their claim, one statement
   * each. Then one update marks them all delivered and one insert keeps their attempts. A cursor
   * whose claim was lost or whose head a replay moved goes the long way (`finish`).
   */
  async settle(trx: Transaction<Database>, items: Delivered[]): Promise<(FinishResult | null)[]> {
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
      const next = await this.advance(trx, d);
      if (next === null) continue;
      d.c.head_seq = next;
      results[i] = { holds: true, more: true };
    }
    const done = items.filter((_, i) => results[i] !== null);
    if (done.length > 0) await this.record(trx, done);
    return results;
  }

  /**
   * Moves a delivered cursor's head to its next pending delivery, renewing the claim, in one
   * statement; null when the claim no longer holds, a replay moved the head, or nothing is pending.
   */
  private async advance(trx: Transaction<Database>, d: Delivered): Promise<number | null> {
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
        // The same min() as the new head, not an EXISTS: PostgreSQL without statistics yet (a new
        // install, or autovacuum behind) answered the EXISTS through the (target, state) index,
        // walking every pending delivery of the recipient, while a min() of seq always takes the
        // (target, conversation, seq) index. Under a backlog that was the difference between about
        // 20 and several hundred deliveries a second.
        .where((eb) => eb(pendingAfter(eb).select((e) => e.fn.min('deliveries.seq').as('seq')), 'is not', null))
        .returning('head_seq');
    });
    return moved?.head_seq ?? null;
  }

  /** The deliveries are done: their attempts are kept, and their recipients' runs of failures end. */
  async record(trx: Transaction<Database>, done: Delivered[]): Promise<void> {
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
      if (since !== undefined && performance.now() - since < this.cacheMs()) continue;
      await trx.updateTable('components').set({ consecutive_failures: 0 }).where('account_id', '=', c.account_id).where('id', '=', c.target_id).where('consecutive_failures', '>', 0).execute();
      if (this.cacheMs() > 0) this.clean.set(key, performance.now());
    }
  }
}
