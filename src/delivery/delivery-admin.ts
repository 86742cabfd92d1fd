import { SYSTEM, auditEntry } from '../core/audit.js';
import { BatonError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Component } from '../core/model.js';
import type { Transaction } from 'kysely';
import type { KyselyStore } from '../store/kysely-store.js';
import type { Database } from '../store/schema.js';
import type { HttpSender } from './http-sender.js';
import { PARKED } from './outbox-states.js';
import type { OutboxPort, RendererLookup } from './ports.js';

export interface DeliveryView {
  id: string;
  conversationId: string;
  seq: number;
  eventType: string;
  target: { kind: string; id: string };
  forReply: boolean;
  state: string;
  attempts: number;
  nextAttemptAt: string;
  createdAt: string;
  deliveredAt: string | null;
  lastError: string | null;
}

export interface ComponentHealth {
  componentId: string;
  state: string;
  consecutiveFailures: number;
  lastError: string | null;
  lastFailureAt: string | null;
  backlog: number;
  oldestPendingAgeSeconds: number | null;
  blockedConversations: number;
}

/**
 * What operators do with deliveries: see a recipient's health and backlog, read every attempt,
 * replay what failed, and re-verify an endpoint so that what it held back goes out in order.
 */
export class DeliveryAdmin {
  constructor(
    private readonly store: KyselyStore,
    private readonly outbox: OutboxPort,
    private readonly sender: HttpSender,
    private readonly renderers: RendererLookup,
    private readonly clock: Clock,
    private readonly onWork: () => void,
  ) {}

  private async audit(accountId: string, action: string, subject: string, details: Record<string, unknown>, actor: string): Promise<void> {
    await this.store.transaction((tx) => tx.appendAudit(auditEntry(accountId, this.clock.now().toISOString(), action, subject, details, actor)));
  }

  private get db() {
    return this.store.kysely;
  }

  async health(accountId: string, componentId: string): Promise<ComponentHealth> {
    const comp = await this.db.selectFrom('components').select(['id', 'health', 'consecutive_failures', 'last_error', 'last_failure_at']).where('account_id', '=', accountId).where('id', '=', componentId).executeTakeFirst();
    if (!comp) throw new BatonError('component_not_found', `No component ${componentId} in this account.`);
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
      oldestPendingAgeSeconds: oldest ? Math.max(0, Math.round((this.clock.now().getTime() - Date.parse(oldest)) / 1000)) : null,
      blockedConversations: Number(blocked?.n ?? 0),
    };
  }

  async list(accountId: string, f: { targetKind?: string; targetId?: string; state?: string; conversationId?: string; limit: number }): Promise<DeliveryView[]> {
    let q = this.db.selectFrom('deliveries').selectAll().where('account_id', '=', accountId);
    if (f.targetKind) q = q.where('target_kind', '=', f.targetKind);
    if (f.targetId) q = q.where('target_id', '=', f.targetId);
    if (f.state) q = q.where('state', '=', f.state);
    if (f.conversationId) q = q.where('conversation_id', '=', f.conversationId);
    return (await q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit).execute()).map(toView);
  }

  async get(accountId: string, id: string) {
    const row = await this.db.selectFrom('deliveries').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new BatonError('delivery_not_found', `No delivery ${id} in this account.`);
    const attempts = await this.db.selectFrom('delivery_attempts').selectAll().where('delivery_id', '=', id).orderBy('attempt').execute();
    return { ...toView(row), attemptLog: attempts.map((a) => ({ attempt: a.attempt, at: a.at, outcome: a.outcome, statusCode: a.status_code, latencyMs: a.latency_ms, error: a.error })) };
  }

  /** Puts failed deliveries back at the head of their cursors; returns how many. */
  async replay(accountId: string, filter: { id?: string; componentId?: string; since?: string }, actor: string = SYSTEM): Promise<number> {
    const now = this.clock.now().toISOString();
    const count = await this.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('deliveries').select(['id', 'account_id', 'target_kind', 'target_id', 'conversation_id', 'seq']).where('account_id', '=', accountId).where('state', '=', 'failed');
      if (filter.id) q = q.where('id', '=', filter.id);
      if (filter.componentId) q = q.where('target_kind', '=', 'component').where('target_id', '=', filter.componentId);
      if (filter.since) q = q.where('created_at', '>=', filter.since);
      const failed = await q.orderBy('seq').execute();
      for (const d of failed) {
        await trx.updateTable('deliveries').set({ state: 'pending', next_attempt_at: now }).where('id', '=', d.id).execute();
        const key = { account_id: d.account_id, target_kind: d.target_kind, target_id: d.target_id, conversation_id: d.conversation_id };
        const cur = await trx.selectFrom('delivery_cursors').select(['state', 'head_seq']).where('account_id', '=', key.account_id).where('target_kind', '=', key.target_kind).where('target_id', '=', key.target_id).where('conversation_id', '=', key.conversation_id).executeTakeFirst();
        const head = cur?.head_seq === null || cur?.head_seq === undefined ? d.seq : Math.min(cur.head_seq, d.seq);
        const state = cur?.state === 'parked' ? 'parked' : 'ready';
        await trx.updateTable('delivery_cursors').set({ head_seq: head, state, ...(state === 'ready' && cur?.state !== 'ready' ? { due_at: now, parked_reason: null } : {}) })
          .where('account_id', '=', key.account_id).where('target_kind', '=', key.target_kind).where('target_id', '=', key.target_id).where('conversation_id', '=', key.conversation_id).execute();
      }
      return failed.length + (await this.releaseParked(trx, accountId, filter, now));
    });
    if (filter.id && count === 0) {
      await this.get(accountId, filter.id);
      throw new BatonError('invalid_transition', `Delivery ${filter.id} has not failed; only failed deliveries are replayed.`);
    }
    if (count > 0) {
      await this.audit(accountId, 'deliveries.replay', filter.id ?? filter.componentId ?? accountId, { ...filter, replayed: count }, actor);
      this.onWork();
    }
    return count;
  }

  /**
   * Pending deliveries held at the head of a parked cursor (the recipient was switched off or
   * answered 410) go out again when their recipient can be reached now; a replay that names one
   * whose recipient is still off says what to do instead.
   */
  private async releaseParked(trx: Transaction<Database>, accountId: string, filter: { id?: string; componentId?: string; since?: string }, now: string): Promise<number> {
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

  /**
   * Sends the dialect's verification request. A pass makes the component active again and lets
   * everything it held back go out, in order; a failure says why and changes nothing.
   */
  async verify(accountId: string, componentId: string, actor: string = SYSTEM): Promise<{ verified: boolean; reason: string | null; released: number }> {
    const target = await this.outbox.target({ account_id: accountId, target_kind: 'component', target_id: componentId });
    if (!target || target.kind !== 'component') throw new BatonError('component_not_found', `No component ${componentId} in this account.`);
    // In-process recipients (the inbox) have no endpoint to ask: they are reachable while Baton runs.
    if (this.renderers(target)?.deliver) return this.release(accountId, target.component);
    if (!target.component.url) throw new BatonError('invalid_transition', `Component ${componentId} has no url to verify; set one in baton.yaml.`);
    const renderer = this.renderers(target);
    const verification = renderer?.verification?.(target, this.clock.now());
    if (!verification) throw new BatonError('invalid_transition', `Baton cannot verify ${target.component.dialect} components.`);
    const result = await this.sender.send(verification.request, target.component.retry.timeoutMs);
    const check = result.response ? verification.check(result.response) : { ok: false as const, reason: result.error ?? 'no answer' };
    if (!check.ok) {
      await this.audit(accountId, 'component.verify.failed', componentId, { reason: check.reason }, actor);
      return { verified: false, reason: check.reason, released: 0 };
    }
    return this.release(accountId, target.component);
  }

  /**
   * Verification when a configuration is applied, of every component verified before use (IMI
   * generic bots). One whose endpoint the configuration just set or changed (`changed`) stays, or
   * becomes, `unverified` when it fails, and holds what is sent to it: IMI does not save an
   * integration that failed "Verify". For the others a failure changes nothing (an active one's
   * every answer is checked for the token anyway); a pass makes any of them active and lets what
   * they held go out, in order. They are asked at once; one failing stops no other.
   *
   * @example await admin.verifyConfigured([{ accountId: 'telco', id: 'imibot' }]) // [{ accountId: 'telco', componentId: 'imibot', verified: true, reason: null }]
   */
  async verifyConfigured(changed: { accountId: string; id: string }[]): Promise<{ accountId: string; componentId: string; verified: boolean; reason: string | null }[]> {
    const edited = new Set(changed.map((c) => `${c.accountId}\u0000${c.id}`));
    const due: { component: Component; edited: boolean }[] = [];
    for (const account of await this.store.listAccounts()) {
      for (const component of await this.store.listComponents(account.id)) {
        const target = { kind: 'component' as const, component };
        // Without a url there is nothing to ask; its deliveries wait for one (no_endpoint).
        if (!component.url || (this.renderers(target)?.verifiedEndpoint?.(target) ?? null) === null) continue;
        due.push({ component, edited: edited.has(`${account.id}\u0000${component.id}`) });
      }
    }
    return Promise.all(due.map(async ({ component, edited: wasEdited }) => {
      const result = await this.verify(component.accountId, component.id);
      if (!result.verified && wasEdited && component.health !== 'unverified') await this.outbox.setHealth(component, 'unverified');
      return { accountId: component.accountId, componentId: component.id, verified: result.verified, reason: result.reason };
    }));
  }

  /** Marks a component reachable again and lets what it held back go out, in order. */
  private async release(accountId: string, component: Component): Promise<{ verified: true; reason: null; released: number }> {
    await this.outbox.setHealth(component, 'active');
    const released = await this.outbox.unpark(accountId, 'component', component.id, [PARKED.inactive, PARKED.noEndpoint, PARKED.unverified], this.clock.now().toISOString());
    this.onWork();
    return { verified: true, reason: null, released };
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
