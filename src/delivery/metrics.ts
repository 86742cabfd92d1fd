import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutboxGauges } from './ports.js';

/**
 * Delivery metrics for `/metrics`. Backlog and inactive components are read from the store when
 * scraped, so every process reports the shared truth rather than its own share of it.
 */
export class DeliveryMetrics {
  readonly registry = new Registry();
  private readonly attempts: Counter<'outcome'>;
  private readonly latency: Histogram;

  constructor(store: OutboxGauges) {
    collectDefaultMetrics({ register: this.registry, prefix: 'baton_process_' });
    this.attempts = new Counter({ name: 'baton_delivery_attempts_total', help: 'Delivery attempts by outcome', labelNames: ['outcome'], registers: [this.registry] });
    this.latency = new Histogram({ name: 'baton_delivery_attempt_seconds', help: 'Latency of delivery attempts', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });
    new Gauge({
      name: 'baton_delivery_backlog',
      help: 'Pending deliveries per recipient',
      labelNames: ['account', 'target_kind', 'target'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const r of await store.backlog()) this.set({ account: r.accountId, target_kind: r.targetKind, target: r.targetId }, r.pending);
      },
    });
    const counters = store.sqlCounters();
    new Counter({ name: 'baton_sql_statements_total', help: 'SQL statements this process ran', registers: [this.registry], collect() { this.reset(); this.inc(counters.statements); } });
    new Counter({ name: 'baton_sql_commits_total', help: 'Transactions this process committed', registers: [this.registry], collect() { this.reset(); this.inc(counters.commits); } });
    new Gauge({
      name: 'baton_components_inactive',
      help: 'Components whose circuit is open (inactive until re-verified)',
      registers: [this.registry],
      async collect() {
        this.set(await store.inactiveComponents());
      },
    });
    new Gauge({
      name: 'baton_deliveries',
      help: 'Deliveries by state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries(await store.deliveriesByState())) this.set({ state }, n);
      },
    });
  }

  /** The pace of routine commands under overload (core/routine-pacer.ts): 0 while not pacing. */
  watchPacing(pacer: { readonly perSecond: number | null; readonly queued: number }): void {
    new Gauge({ name: 'baton_routine_pace_per_second', help: 'Routine commands (control calls, timers) admitted per second while the process is saturated and customers wait; 0 while not paced', registers: [this.registry], collect() { this.set(pacer.perSecond ?? 0); } });
    new Gauge({ name: 'baton_routine_waiting', help: 'Routine commands waiting for their turn', registers: [this.registry], collect() { this.set(pacer.queued); } });
  }

  attempt(outcome: 'delivered' | 'failed', seconds: number): void {
    this.attempts.inc({ outcome });
    this.latency.observe(seconds);
  }
}
