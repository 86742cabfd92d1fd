import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { statusHeard } from '../core/fanout.js';
import { newId } from '../core/ids.js';
import type { DeliveryDraft, DeliveryIntake, DeliveryLease } from '../core/ports.js';
import type { DeliveryMetrics } from './metrics.js';
import type { HttpSender } from './http-sender.js';
import type { BotFailover, Cursor, DeliveryContext, MessageOutcomeListener, OutboxPort, Outcome, RendererLookup } from './ports.js';
import { PARKED } from './outbox-states.js';
import { CHANNEL_RETRY_POLICY } from './retry-policies.js';
import { deliverInProcess, hasEndpoint, isFinal, sendParts } from './attempt.js';
import { failoverAfter, waitsOnBot } from './bot-waits.js';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { endAttemptSpan, startAttemptSpan, traceHeaders, tracer, within } from '../core/tracing.js';

export interface DispatcherOptions {
  /** Cursors worked on at once (each in sequence order); a freed slot is claimed again at once. */
  batch: number;
  leaseMs: number;
  /** How often to look for due work when nothing wakes the dispatcher. */
  pollMs: number;
  /** Deliveries sent in a row on one cursor before it is handed back, so no chat hogs a worker. */
  maxPerClaim: number;
}

/** How long a running dispatcher keeps a recipient's settings and health between reads. */
const RECIPIENT_CACHE_MS = 1000;

/**
 * Claims due cursors, sends their head deliveries outside any transaction, and records each
 * outcome only while its claim still holds. Killed mid-call, it loses nothing: the lease runs out
 * and the same delivery (same id) is sent again.
 */
export class OutboxDispatcher implements DeliveryIntake {
  private running = false;
  /** Deliveries this process leased at commit and has not started yet: people's messages first. */
  private readonly urgent: { draft: DeliveryDraft; lease: DeliveryLease }[] = [];
  private readonly routine: { draft: DeliveryDraft; lease: DeliveryLease }[] = [];
  private wakeUp: (() => void) | null = null;
  private onRoom: (() => void) | null = null;
  private woken = false;
  private loop: Promise<void> | null = null;
  /** Cursors being worked by the running loop, each until it is handed back. */
  private readonly inFlight = new Set<Promise<void>>();
  private bots: BotFailover | null = null;

  /** Where bot failures on customer messages are reported (the router's bot failover). */
  onBotFailure(bots: BotFailover): void {
    this.bots = bots;
  }

  constructor(
    private readonly outbox: OutboxPort,
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
    const work = await this.claimAndWork(this.opts.batch);
    await Promise.all(work);
    return work.length;
  }

  /** Runs rounds until nothing is due (tests drive time with this). */
  async drain(maxRounds = 1000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      const claimed = await this.tick();
      if (claimed === 0 && this.inFlight.size === 0 && this.urgent.length + this.routine.length === 0) return;
      await Promise.all(this.inFlight);
    }
  }

  /**
   * Send at once from the process that committed: a running dispatcher with room leases the
   * cursors a transaction starts, so they need no claim; one without room (or not running, as in
   * tests that drive it by hand) leaves them to claims.
   */
  lease(urgent = false): DeliveryLease | null {
    if (!this.running) return null;
    // What waits in memory is bounded; past the bound, deliveries wait in the store for a claim.
    // Urgent ones have a bound of their own, so a backlog of routine work does not send a
    // person's message the long way.
    const waiting = urgent ? this.urgent.length : this.inFlight.size + this.urgent.length + this.routine.length;
    if (waiting >= 4 * this.opts.batch) return null;
    return { claimId: newId(), until: this.leaseEnd() };
  }

  accept(leased: DeliveryDraft[], lease: DeliveryLease): void {
    for (const draft of leased) (draft.urgent ? this.urgent : this.routine).push({ draft, lease });
    this.startLeased();
  }

  pending(): void {
    this.wake();
  }

  /** Starts leased deliveries while slots are free; each runs on until its cursor is handed back. */
  private startLeased(): void {
    while (this.inFlight.size < this.opts.batch) {
      const next = this.urgent.shift() ?? this.routine.shift();
      if (!next) return;
      const { draft, lease } = next;
      const cursor: Cursor = { account_id: draft.accountId, target_kind: draft.target.kind, target_id: draft.target.id, conversation_id: draft.conversationId, head_seq: draft.seq };
      // Started from the committing request: with tracing on, what the delivery causes (a bot
      // failover) must not land in that request's trace.
      const w = tracer ? within(ROOT_CONTEXT, () => this.sendLeased(draft, lease, cursor)) : this.sendLeased(draft, lease, cursor);
      this.inFlight.add(w);
      void w.finally(() => {
        this.inFlight.delete(w);
        this.startLeased();
        this.onRoom?.();
      });
    }
  }

  private sendLeased(draft: DeliveryDraft, lease: DeliveryLease, cursor: Cursor): Promise<void> {
    return this.outbox.leasedContext(draft, this.clock.now())
      .then((ctx) => this.work(cursor, lease.claimId, ctx))
      .catch((err: unknown) => this.log?.error({ err, cursor }, 'delivery failed; the lease will hand it back'));
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Keeps up to `batch` cursors in work and claims again as soon as one is handed back, rather
   * than round by round: a round would last as long as its slowest call, so one endpoint that
   * answers only at its timeout would hold up every other conversation for that long.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.outbox.cacheFor(RECIPIENT_CACHE_MS);
    this.loop = (async () => {
      while (this.running) {
        // Leased deliveries (people's messages first) take free slots before claims do.
        this.startLeased();
        const room = this.opts.batch - this.inFlight.size;
        if (room > 0) {
          this.woken = false;
          let claimed = 0;
          try {
            const work = await this.claimAndWork(room);
            for (const w of work) {
              this.inFlight.add(w);
              void w.finally(() => {
                this.inFlight.delete(w);
                // A slot a claimed cursor frees goes to waiting leased deliveries first: otherwise
                // claims of a backlog would take every slot, and a customer's message leased at
                // commit would wait until its lease ran out.
                this.startLeased();
                this.onRoom?.();
              });
            }
            claimed = work.length;
          } catch (err) {
            this.log?.warn({ err }, 'claiming deliveries failed; retrying');
          }
          // A full claim may have left due work behind: claim again when there is room.
          if (claimed === room || this.woken) continue;
        }
        if (this.running) await this.pause(room <= 0);
      }
      await Promise.all(this.inFlight);
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    // Leased but not started: handed back now rather than when the lease runs out.
    const now = this.clock.now().toISOString();
    for (const { draft, lease } of this.urgent.splice(0).concat(this.routine.splice(0))) {
      await this.outbox.release({ account_id: draft.accountId, target_kind: draft.target.kind, target_id: draft.target.id, conversation_id: draft.conversationId, head_seq: draft.seq }, lease.claimId, now).catch(() => {});
    }
    this.wakeUp?.();
    await this.loop;
  }

  /** Waits for a wake-up or the next poll; when every slot is taken, for a slot to come free. */
  private pause(full: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakeUp = null;
        this.onRoom = null;
        resolve();
      };
      const t = setTimeout(done, this.opts.pollMs);
      this.wakeUp = done;
      if (full) this.onRoom = done;
    });
  }

  /** Claims up to `limit` due cursors and starts on each; every promise settles when its cursor is handed back. */
  private async claimAndWork(limit: number): Promise<Promise<void>[]> {
    const claimId = newId();
    const cursors = await this.outbox.claim(this.clock.now().toISOString(), this.leaseEnd(), claimId, limit);
    return cursors.map((c) => this.work(c, claimId).catch((err: unknown) => this.log?.error({ err, cursor: c }, 'delivery round failed; the lease will hand it back')));
  }

  private async reportUnreachable(ctx: DeliveryContext, reason: string): Promise<void> {
    if (!this.bots || !waitsOnBot(ctx) || ctx.target.kind !== 'component') return;
    await this.bots.unreachable({ accountId: ctx.account.id, conversationId: ctx.conversation.id, botId: ctx.target.component.id, reason })
      .catch((err: unknown) => this.log?.warn({ err }, 'bot failover failed; the next failed attempt tries again'));
  }

  /** A customer waits on a bot that failed once: the failover comes at the deadline unless the bot takes it. */
  private async awaitBot(ctx: DeliveryContext): Promise<void> {
    if (!this.bots || !waitsOnBot(ctx)) return;
    const due = new Date(Date.parse(ctx.event.at) + failoverAfter(ctx)).toISOString();
    await this.bots.deadline({ accountId: ctx.account.id, conversationId: ctx.conversation.id, deliveryId: ctx.deliveryId, dueAt: due })
      .catch((err: unknown) => this.log?.warn({ err }, 'scheduling a bot failover failed; the next failed attempt tries again'));
  }

  /** A message sent to a channel: its author hears whether it arrived (IMI "Message Delivery"). */
  private async reportMessageOutcome(ctx: DeliveryContext, outcome: Outcome): Promise<void> {
    if (!this.onMessageOutcome || ctx.target.kind !== 'channel' || ctx.event.type !== 'message.sent' || !isFinal(outcome)) return;
    const messageId = ctx.event.data.messageId;
    const componentId = ctx.event.data.componentId;
    if (typeof messageId !== 'string' || typeof componentId !== 'string' || !statusHeard(ctx.account, componentId)) return;
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

  private async work(cursor: Cursor, claimId: string, first: DeliveryContext | null = null): Promise<void> {
    for (let sent = 0; sent < this.opts.maxPerClaim; sent++) {
      const now = this.clock.now();
      const ctx = sent === 0 && first ? first : await this.outbox.loadContext(cursor, now);
      if (!ctx) {
        const again = await this.outbox.resync(cursor, claimId, this.leaseEnd());
        if (!again.holds) return;
        continue;
      }
      const target = ctx.target;
      if (target.kind === 'component' && target.component.health === 'inactive') {
        await this.outbox.park(cursor, claimId, PARKED.inactive);
        await this.reportUnreachable(ctx, 'its endpoint is switched off after failing');
        return;
      }
      if (target.kind === 'component' && target.component.health === 'unverified') {
        // Held, in order, until the endpoint passes verification (IMI: "Click Verify and then
        // Save"); a customer waiting on it is handed on at the failover deadline, as for any silent bot.
        await this.outbox.park(cursor, claimId, PARKED.unverified);
        await this.awaitBot(ctx);
        return;
      }
      const renderer = this.renderers(target);
      if (!renderer || (!renderer.deliver && !hasEndpoint(target))) {
        await this.outbox.park(cursor, claimId, PARKED.noEndpoint);
        return;
      }
      // A channel stored before channels had a policy of their own has none: the default stands in.
      const policy = target.kind === 'component' ? target.component.retry : target.channel.retry ?? CHANNEL_RETRY_POLICY;
      const rendered = renderer.deliver ? null : renderer.render(ctx);
      const requests = rendered === null ? [] : Array.isArray(rendered) ? rendered : [rendered];
      let outcome: Outcome;
      const traced = tracer && (renderer.deliver || requests.length > ctx.partsSent) ? startAttemptSpan(tracer, ctx) : null;
      if (renderer.deliver) {
        // What an in-process recipient does in answer (the demo bot's reply) is part of this attempt's trace.
        outcome = await (traced ? within(traced.context, () => deliverInProcess(this.metrics, renderer, ctx, policy)) : deliverInProcess(this.metrics, renderer, ctx, policy));
      } else if (requests.length <= ctx.partsSent) {
        outcome = { kind: 'delivered', attempt: null };
      } else {
        outcome = await sendParts(this.sender, this.metrics, renderer, ctx, requests, policy, now, traced ? traceHeaders(traced.context) : null);
      }
      if (traced) endAttemptSpan(traced.span, outcome, isFinal(outcome), ctx.deliveryId);
      const done = await this.outbox.finish(cursor, claimId, ctx.deliveryId, outcome, this.clock.now(), this.leaseEnd(), ctx.attempt);
      await this.reportMessageOutcome(ctx, outcome);
      if (outcome.kind === 'failed') {
        const error = outcome.attempt.error ?? 'failed';
        if (done.broke || outcome.nextDelayMs === null) await this.reportUnreachable(ctx, done.broke ? `its circuit broke: ${error}` : `its retries ran out: ${error}`);
        else await this.awaitBot(ctx);
      }
      if (!done.holds || !done.more) return;
    }
    await this.outbox.release(cursor, claimId, this.clock.now().toISOString());
    // Handed back still due: make sure the loop claims it again now, not at the next poll.
    this.wake();
  }
}
