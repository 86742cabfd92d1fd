import { SYSTEM, auditEntry } from '../core/audit.js';
import { BatonError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { Component } from '../core/model.js';
import type { Store } from '../core/ports.js';
import type { HttpSender } from './http-sender.js';
import { PARKED } from './outbox-states.js';
import type { ComponentHealth, DeliveryControl, DeliveryFilter, DeliveryRecord, DeliveryView, OutboxPort, RendererLookup, ReplayFilter } from './ports.js';

export type { ComponentHealth, DeliveryView } from './ports.js';

/**
 * What operators do with deliveries: see a recipient's health and backlog, read every attempt,
 * replay what failed, and re-verify an endpoint so that what it held back goes out in order.
 */
export class DeliveryAdmin implements DeliveryControl {
  constructor(
    private readonly store: Pick<Store, 'transaction' | 'listAccounts' | 'listComponents'>,
    private readonly outbox: OutboxPort,
    private readonly sender: HttpSender,
    private readonly renderers: RendererLookup,
    private readonly clock: Clock,
    private readonly onWork: () => void,
  ) {}

  private async audit(accountId: string, action: string, subject: string, details: Record<string, unknown>, actor: string): Promise<void> {
    await this.store.transaction((tx) => tx.appendAudit(auditEntry(accountId, this.clock.now().toISOString(), action, subject, details, actor)));
  }

  async health(accountId: string, componentId: string): Promise<ComponentHealth> {
    const health = await this.outbox.componentHealth(accountId, componentId, this.clock.now());
    if (!health) throw new BatonError('component_not_found', `No component ${componentId} in this account.`);
    return health;
  }

  list(accountId: string, f: DeliveryFilter): Promise<DeliveryView[]> {
    return this.outbox.listDeliveries(accountId, f);
  }

  async get(accountId: string, id: string): Promise<DeliveryRecord> {
    const found = await this.outbox.getDelivery(accountId, id);
    if (!found) throw new BatonError('delivery_not_found', `No delivery ${id} in this account.`);
    return found;
  }

  /** Puts failed deliveries back at the head of their cursors; returns how many. */
  async replay(accountId: string, filter: ReplayFilter, actor: string = SYSTEM): Promise<number> {
    const count = await this.outbox.replayFailed(accountId, filter, this.clock.now().toISOString());
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
