import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { RetryPolicy } from '../core/model.js';
import type { DeliveryMetrics } from './metrics.js';
import type { HttpSender } from './http-sender.js';
import type { Cursor, OutboxStore, Outcome } from './outbox-store.js';
import type { DeliveryContext, RendererLookup, Target } from './ports.js';
import { EXPONENTIAL_POLICY } from './retry-policies.js';
import { classify, nextDelay } from './retry.js';

export interface DispatcherOptions {
  /** Cursors claimed per round; they are worked on concurrently, each in sequence order. */
  batch: number;
  leaseMs: number;
  /** How often to look for due work when nothing wakes the dispatcher. */
  pollMs: number;
  /** Deliveries sent in a row on one cursor before it is handed back, so no chat hogs a worker. */
  maxPerClaim: number;
}

/** Told when a bot's or agent's message reached the customer's channel, or finally did not. */
export type MessageOutcomeListener = (o: { accountId: string; conversationId: string; messageId: string; componentId: string; status: 'delivered' | 'failed'; description?: string }) => Promise<void>;

/** Channels have no component record; customers must not miss a message, so they wait (block). */
const CHANNEL_POLICY: RetryPolicy = { ...EXPONENTIAL_POLICY, onExhausted: 'block' };

/**
 * Claims due cursors, sends their head deliveries outside any transaction, and records each
 * outcome only while its claim still holds. Killed mid-call, it loses nothing: the lease runs out
 * and the same delivery (same id) is sent again.
 */
export class OutboxDispatcher {
  private running = false;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly sender: HttpSender,
    private readonly renderers: RendererLookup,
    private readonly clock: Clock,
    private readonly opts: DispatcherOptions,
    private readonly metrics: DeliveryMetrics | null,
    private readonly log: Logger | null,
    private readonly onMessageOutcome: MessageOutcomeListener | null = null,
  ) {}

  /** One round: claim a batch and work it. Returns how many cursors were claimed. */
  async tick(): Promise<number> {
    const now = this.clock.now();
    const claimId = newId();
    const cursors = await this.outbox.claim(now.toISOString(), this.leaseEnd(), claimId, this.opts.batch);
    await Promise.all(cursors.map((c) => this.work(c, claimId).catch((err: unknown) => this.log?.error({ err, cursor: c }, 'delivery round failed; the lease will hand it back'))));
    return cursors.length;
  }

  /** Runs rounds until nothing is due (tests drive time with this). */
  async drain(maxRounds = 1000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) if ((await this.tick()) === 0) return;
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let claimed = 0;
        try {
          this.woken = false;
          claimed = await this.tick();
        } catch (err) {
          this.log?.warn({ err }, 'claiming deliveries failed; retrying');
        }
        if (claimed === 0 && !this.woken && this.running) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, this.opts.pollMs);
            this.wakeUp = () => {
              clearTimeout(t);
              resolve();
            };
          });
          this.wakeUp = null;
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** A message sent to a channel: its author hears whether it arrived (IMI "Message Delivery"). */
  private async reportMessageOutcome(ctx: DeliveryContext, outcome: Outcome): Promise<void> {
    if (!this.onMessageOutcome || ctx.target.kind !== 'channel' || ctx.event.type !== 'message.sent' || !isFinal(outcome)) return;
    const messageId = ctx.event.data.messageId;
    const componentId = ctx.event.data.componentId;
    if (typeof messageId !== 'string' || typeof componentId !== 'string') return;
    const failed = outcome.kind === 'failed';
    await this.onMessageOutcome({
      accountId: ctx.account.id,
      conversationId: ctx.conversation.id,
      messageId,
      componentId,
      status: failed ? 'failed' : 'delivered',
      ...(failed ? { description: outcome.attempt.error ?? 'not delivered' } : {}),
    }).catch((err: unknown) => this.log?.warn({ err }, 'recording a message outcome failed'));
  }

  private leaseEnd(): string {
    return new Date(this.clock.now().getTime() + this.opts.leaseMs).toISOString();
  }

  private async work(cursor: Cursor, claimId: string): Promise<void> {
    for (let sent = 0; sent < this.opts.maxPerClaim; sent++) {
      const now = this.clock.now();
      const ctx = await this.outbox.loadContext(cursor, now);
      if (!ctx) {
        const again = await this.outbox.resync(cursor, claimId, this.leaseEnd());
        if (!again.holds) return;
        continue;
      }
      const target = ctx.target;
      if (target.kind === 'component' && target.component.health === 'inactive') {
        await this.outbox.park(cursor, claimId, 'inactive');
        return;
      }
      const renderer = this.renderers(target);
      if (!renderer || !hasEndpoint(target)) {
        await this.outbox.park(cursor, claimId, 'no_endpoint');
        return;
      }
      const policy = target.kind === 'component' ? target.component.retry : CHANNEL_POLICY;
      const request = renderer.render(ctx);
      let outcome: Outcome;
      if (!request) {
        outcome = { kind: 'delivered', attempt: null };
      } else {
        const result = await this.sender.send(request, policy.timeoutMs);
        let verdict = classify(result.response, result.error, now);
        if (verdict.kind === 'success' && renderer.accept && result.response) {
          const check = renderer.accept(result.response, ctx);
          if (!check.ok) verdict = { kind: 'failure', reason: check.reason, retryAfterMs: null, disable: false };
        }
        const attempt = { statusCode: result.response?.status ?? null, latencyMs: result.latencyMs, error: verdict.kind === 'failure' ? verdict.reason : null };
        this.metrics?.attempt(verdict.kind === 'success' ? 'delivered' : 'failed', result.latencyMs / 1000);
        outcome = verdict.kind === 'success'
          ? { kind: 'delivered', attempt }
          : { kind: 'failed', attempt, policy, nextDelayMs: nextDelay(policy, ctx.attempt, verdict.retryAfterMs), disable: verdict.disable, breakAfter: target.kind === 'component' ? policy.breakAfter : 0 };
      }
      const done = await this.outbox.finish(cursor, claimId, ctx.deliveryId, outcome, this.clock.now(), this.leaseEnd());
      await this.reportMessageOutcome(ctx, outcome);
      if (!done.holds || !done.more) return;
    }
    await this.outbox.release(cursor, claimId, this.clock.now().toISOString());
  }
}

function isFinal(outcome: Outcome): boolean {
  return outcome.kind === 'delivered' || (outcome.nextDelayMs === null && !outcome.disable);
}

function hasEndpoint(target: Target): boolean {
  return target.kind === 'component' ? Boolean(target.component.url) : Boolean(target.channel.outboundUrl);
}
