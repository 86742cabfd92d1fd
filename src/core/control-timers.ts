import { SYSTEM } from './audit.js';
import type { Clock } from './clock.js';
import type { CommandOptions, CommandOutcome, Idempotency } from './command-bus.js';
import type { ControlCommand, ControlRequest } from './control-types.js';
import { isBatonError } from './errors.js';
import type { Store, Timer } from './ports.js';

type RunCommand = (accountId: string, conversationId: string, cmd: ControlRequest, idem?: Idempotency, opts?: CommandOptions) => Promise<CommandOutcome>;

/**
 * The control timers (DESIGN.md section 3: driven by the injected clock, kept in the store so a
 * restart forgets none): the wait for an agent after a handover, the deadline of a customer
 * message a bot has not taken. Each fires as a control command.
 */
export class ControlTimers {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly command: RunCommand,
  ) {}

  /** Applies every timer that is due by the clock; returns how many fired. */
  async runDue(limit = 100): Promise<number> {
    const now = this.clock.now().toISOString();
    const due = await this.store.dueTimers(now, limit);
    for (const timer of due) {
      const cmd = await this.commandOf(timer);
      if (!cmd) {
        await this.store.transaction((tx) => tx.deleteTimer(timer.id));
        continue;
      }
      // The timer goes in the command's own transaction: a crash or a database error before the
      // commit leaves it due, and the next tick fires it again.
      await this.command(timer.accountId, timer.conversationId, cmd, undefined, { consumeTimer: timer.id, actor: SYSTEM, priority: 'internal' }).catch(async (err: unknown) => {
        if (!isBatonError(err)) throw err;
        // Refused for good (the conversation is gone): nothing will ever fire it.
        await this.store.transaction((tx) => tx.deleteTimer(timer.id));
      });
    }
    return due.length;
  }

  /**
   * A customer waits on a bot that failed to take their message: unless it takes it by `dueAt`,
   * the account's bot failover decides (a timer, so a restart does not forget it).
   */
  async scheduleBotFailover(accountId: string, conversationId: string, deliveryId: string, dueAt: string): Promise<void> {
    await this.store.transaction((tx) => tx.putTimer({ id: `bot_failover:${deliveryId}`, accountId, conversationId, kind: 'bot_failover', ref: deliveryId, dueAt }));
  }

  /** What a due timer does; null when there is nothing left to do (the bot took the message meanwhile). */
  private async commandOf(timer: Timer): Promise<ControlCommand | null> {
    if (timer.kind === 'handover_wait') return { type: 'handover_wait_expired', agentSessionId: timer.ref };
    if (timer.kind === 'offer_deadline') return { type: 'offer_expired', offerId: timer.ref };
    const waiting = await this.store.deliveryState(timer.ref);
    if (!waiting || waiting.state === 'delivered') return null;
    return { type: 'bot_failover', botId: waiting.targetId, reason: `the customer's message was not taken in time: ${waiting.lastError ?? 'no answer'}` };
  }
}
