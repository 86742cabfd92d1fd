import { auditEntry } from './audit.js';
import type { Clock } from './clock.js';
import type { CommandOptions, CommandOutcome, Idempotency } from './command-bus.js';
import { requireAccount } from './command-reads.js';
import type { ControlRequest, HandBack } from './control-types.js';
import { BatonError, isBatonError } from './errors.js';
import type { EmergencySweep, Store } from './ports.js';
import { SYSTEM } from './audit.js';

type RunCommand = (accountId: string, conversationId: string, cmd: ControlRequest, idem?: Idempotency, opts?: CommandOptions) => Promise<CommandOutcome>;

export interface SweepResult {
  /** How many conversations the sweep changed: handed over, handed back, or kept with the humans. */
  conversations: number;
  /** Switching off: of those, how many went back to their bot, and how many stay with the humans. */
  handedBack?: number;
  keptWithAgents?: number;
  failed: { id: string; reason: string }[];
}

/**
 * The account-wide emergency switch and the sweep that follows it through every open
 * conversation. The flag takes effect at once for every read (bots are refused from that commit
 * on); the sweep then records the handover (or what the switch's end does) in each conversation,
 * in batches, so desks queue them and bots are told, unless switching off was asked to be quiet.
 * Its progress is kept with the switch.
 */
export class EmergencySweeper {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly command: RunCommand,
  ) {}

  /**
   * `handBack` says what switching off does to the conversations the switch handed over
   * (control-types.ts HAND_BACK); it is kept with the sweep, so a resumed one does the same.
   *
   * @example sweeper.setEmergency('acme', false, 'agent:ann', 'quietly')
   */
  async setEmergency(accountId: string, on: boolean, actor: string = SYSTEM, choice?: HandBack): Promise<SweepResult> {
    if (on && choice !== undefined) throw new BatonError('validation_failed', '`handBack` says what switching the emergency off does; it has no meaning with `on: true`.');
    const handBack = choice ?? 'tell_bots';
    const sweep: EmergencySweep = { accountId, on, afterId: null, startedAt: this.clock.now().toISOString(), ...(on ? {} : { handBack }) };
    await this.store.transaction(async (tx) => {
      await requireAccount(tx, accountId);
      await tx.setAccountEmergency(accountId, on);
      // The sweep's progress is durable from the same commit: a crash midway resumes at start.
      await tx.putSweep(sweep);
      await tx.appendAudit(auditEntry(accountId, sweep.startedAt, on ? 'emergency.on' : 'emergency.off', accountId, on ? {} : { handBack }, actor));
    });
    return this.sweep(sweep, actor);
  }

  /** Finishes the emergency sweeps a crash cut short (called at start). */
  async resume(): Promise<number> {
    const open = await this.store.listSweeps();
    for (const sweep of open) await this.sweep(sweep, SYSTEM);
    return open.length;
  }

  private async sweep(sweep: EmergencySweep, actor: string): Promise<SweepResult> {
    let after = sweep.afterId;
    let changed = 0;
    let handedBack = 0;
    const failed: { id: string; reason: string }[] = [];
    for (;;) {
      const ids = await this.store.listOpenConversationIds(sweep.accountId, after, 200);
      if (ids.length === 0) break;
      for (const id of ids) {
        // One conversation that cannot move (no desk to send it to) must not stop the sweep.
        try {
          const outcome = await this.command(sweep.accountId, id, sweep.on ? { type: 'emergency_on' } : { type: 'emergency_off', handBack: sweep.handBack ?? 'tell_bots' }, undefined, { actor, priority: 'internal' });
          if (outcome.events.length > 0) changed += 1;
          if (outcome.events.some((e) => e.type === 'handback')) handedBack += 1;
        } catch (err) {
          if (!isBatonError(err)) throw err;
          failed.push({ id, reason: err.message });
        }
      }
      after = ids[ids.length - 1]!;
      const progress = { ...sweep, afterId: after };
      await this.store.transaction((tx) => tx.putSweep(progress));
    }
    await this.store.transaction((tx) => tx.endSweep(sweep.accountId, sweep.startedAt));
    return sweep.on ? { conversations: changed, failed } : { conversations: changed, handedBack, keptWithAgents: changed - handedBack, failed };
  }
}
