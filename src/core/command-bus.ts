import type { Clock } from './clock.js';
import type { Conversation } from './conversation.js';
import { BatonError } from './errors.js';
import type { ConversationEvent } from './events.js';
import { GroupCommit } from './group-commit.js';
import { RoutinePacer } from './routine-pacer.js';
import type { Message } from './model.js';
import type { DeliveryDraft, DeliveryIntake, DeliveryLease, Store, StoreTx } from './ports.js';
import { endCommandSpan, failSpan, rememberOrigin, startCommandSpan, tracer } from './tracing.js';
import type { Span, Tracer } from '@opentelemetry/api';

export interface CommandOutcome {
  conversation: Conversation;
  events: ConversationEvent[];
  message?: Message;
  /** True when an idempotent retry found the original result. */
  duplicate?: boolean;
}

/**
 * `urgent`: a person waits for this command (a customer's message, a reply, an agent's click in
 * the inbox): it goes before routine ones. `routine`: a control call; under overload it waits its turn, or is refused once
 * too many wait. `internal`: Baton's own routine work (a timer, a sweep): it waits, never refused.
 */
export type Priority = 'urgent' | 'routine' | 'internal';

/** What a control command may carry beyond the request: the timer it consumes, who acts, its priority (routine by default). */
export interface CommandOptions {
  consumeTimer?: string;
  actor?: string;
  priority?: Priority;
}

export interface Idempotency {
  key: string;
  fingerprint: string;
}

/** What one command wrote for the outbox: the lease it took, what the lease got, what others must claim. */
export interface OutboxScope {
  lease: DeliveryLease | null;
  leased: DeliveryDraft[];
  /** Written behind a cursor that was busy: sent later, by whoever holds that cursor. */
  unleased: DeliveryDraft[];
  /** Messages the command holds in memory, so their deliveries' snapshots need no read. */
  messages: Map<string, Message>;
}

/** Takes no lease and hands nothing on: deliveries wait for a claim (no dispatcher in this process). */
const NO_INTAKE: DeliveryIntake = { lease: () => null, accept: () => {}, pending: () => {} };

/**
 * Runs commands: each in a store transaction shared with the commands that arrive meanwhile
 * (group commit), answered once from the idempotency record when its key was seen, and followed,
 * after commit, by handing what it wrote for the outbox to this process's dispatcher.
 */
export class CommandBus {
  private intake: DeliveryIntake = NO_INTAKE;

  /** Each running command's outbox writes, by its transaction (several commands share one in a group commit). */
  private readonly scopes = new WeakMap<StoreTx, OutboxScope>();

  private readonly commits: GroupCommit;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    writeConcurrency: number,
    /** Paces routine commands while the process is saturated and people wait. */
    readonly pacer: RoutinePacer = new RoutinePacer(),
  ) {
    this.commits = new GroupCommit(store, writeConcurrency);
  }

  /** Where committed deliveries go: the dispatcher of this process, which sends what it leased at once. */
  setIntake(intake: DeliveryIntake): void {
    this.intake = intake;
  }

  /** A lease for a transaction that writes a delivery a person waits for, when the routine one was refused. */
  urgentLease(): DeliveryLease | null {
    return this.intake.lease(true);
  }

  /** The outbox scope of the command running in `tx`. */
  scope(tx: StoreTx): OutboxScope | undefined {
    return this.scopes.get(tx);
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  /** `type` names the command in its trace span (receive, reply, a control request's type). */
  run(accountId: string, idem: Idempotency | undefined, actor: string, fn: (tx: StoreTx, now: string, actor: string) => Promise<CommandOutcome>, priority: Priority = 'routine', type = 'command'): Promise<CommandOutcome> {
    // Not async: with tracing off the command's own promise is the one returned, nothing more.
    const t = tracer;
    if (t === null) return this.runCommand(accountId, idem, actor, fn, priority, null);
    return this.runInSpan(t, type, accountId, idem, actor, fn, priority);
  }

  private async runInSpan(t: Tracer, type: string, accountId: string, idem: Idempotency | undefined, actor: string, fn: (tx: StoreTx, now: string, actor: string) => Promise<CommandOutcome>, priority: Priority): Promise<CommandOutcome> {
    const span = startCommandSpan(t, type, accountId);
    try {
      const outcome = await this.runCommand(accountId, idem, actor, fn, priority, span);
      endCommandSpan(span, outcome);
      return outcome;
    } catch (err) {
      failSpan(span, err);
      throw err;
    }
  }

  private async runCommand(accountId: string, idem: Idempotency | undefined, actor: string, fn: (tx: StoreTx, now: string, actor: string) => Promise<CommandOutcome>, priority: Priority, span: Span | null): Promise<CommandOutcome> {
    const urgent = priority === 'urgent';
    if (urgent) this.pacer.urgent();
    else {
      const turn = this.pacer.admit(priority === 'routine');
      if (turn) await turn;
    }
    const { outcome, scope } = await this.commits.submit(async (tx) => {
      // A fresh scope per attempt: a batch that failed and runs again alone wrote nothing.
      const scope = this.newScope(tx, this.intake.lease());
      return { outcome: await this.attempt(tx, accountId, idem, (t, now) => fn(t, now, actor)), scope };
    }, urgent, span);
    if (span) {
      rememberOrigin(scope.leased, span);
      rememberOrigin(scope.unleased, span);
    }
    this.handOff(scope);
    return outcome;
  }

  /** A write of its own, outside any group (a refusal recorded after its command rolled back), handed off the same way. */
  async alone(fn: (tx: StoreTx, now: string) => Promise<void>): Promise<void> {
    const held: { scope?: OutboxScope } = {};
    await this.store.transaction(async (tx) => {
      held.scope = this.newScope(tx, null);
      await fn(tx, this.now());
    });
    if (held.scope) this.handOff(held.scope);
  }

  private newScope(tx: StoreTx, lease: DeliveryLease | null): OutboxScope {
    const scope: OutboxScope = { lease, leased: [], unleased: [], messages: new Map() };
    this.scopes.set(tx, scope);
    return scope;
  }

  /** After commit: what this process leased is sent at once, the rest is claimed by whoever has room. */
  private handOff(scope: OutboxScope): void {
    if (scope.lease && scope.leased.length > 0) this.intake.accept(scope.leased, scope.lease);
    if (scope.unleased.length > 0) this.intake.pending(scope.unleased);
  }

  private async attempt(tx: StoreTx, accountId: string, idem: Idempotency | undefined, fn: (tx: StoreTx, now: string) => Promise<CommandOutcome>): Promise<CommandOutcome> {
    const now = this.now();
    if (idem) {
      const prior = await tx.getIdempotency(accountId, idem.key);
      if (prior) {
        if (prior.fingerprint !== idem.fingerprint) {
          throw new BatonError('idempotency_conflict', `Idempotency-Key ${idem.key} was first used for a different request; use a new key.`);
        }
        return { ...(prior.result as CommandOutcome), duplicate: true };
      }
    }
    const result = await fn(tx, now);
    if (idem && !result.duplicate) await tx.putIdempotency(accountId, idem.key, { fingerprint: idem.fingerprint, result, createdAt: now });
    return result;
  }
}
