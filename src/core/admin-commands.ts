import { SYSTEM, auditEntry } from './audit.js';
import type { Clock } from './clock.js';
import { requireAccount } from './command-reads.js';
import { BatonError } from './errors.js';
import type { Channel } from './model.js';
import type { Store, StoreTx } from './ports.js';

/**
 * Switches an administrator or an agent flips at run time, each audited: an agent's presence, a
 * channel's on/off switch and its emergency switch. (The account-wide emergency, which moves
 * conversations, is emergency-sweep.ts.)
 */
export class AdminCommands {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** An agent's presence feeds availability checks before handovers on real-time channels. */
  async setPresence(accountId: string, agentId: string, presence: 'online' | 'away' | 'offline', actor: string = SYSTEM): Promise<void> {
    await this.store.transaction(async (tx) => {
      if (!(await tx.getAgent(accountId, agentId))) throw new BatonError('agent_not_found', `No agent ${agentId} in this account.`);
      await tx.setAgentPresence(accountId, agentId, presence);
      await tx.appendAudit(auditEntry(accountId, this.now(), `presence.${presence}`, agentId, {}, actor));
    });
  }

  /** Switches a channel on or off at run time: a switched-off channel refuses customer messages. */
  async setChannelActive(accountId: string, channelId: string, active: boolean, actor: string = SYSTEM): Promise<Channel> {
    return this.switchChannel(accountId, channelId, (tx) => tx.setChannelActive(accountId, channelId, active), active ? 'channel.on' : 'channel.off', actor);
  }

  /**
   * A channel's emergency switch (seed 003, "Deactivate Bot connected sources default
   * categorization"): while on, new threads on it start with the humans and the agent category.
   * Existing threads keep their routing; the account-wide switch (setEmergency) moves those.
   */
  async setChannelEmergency(accountId: string, channelId: string, on: boolean, actor: string = SYSTEM): Promise<Channel> {
    return this.switchChannel(accountId, channelId, (tx) => tx.setChannelEmergency(accountId, channelId, on), on ? 'channel.emergency.on' : 'channel.emergency.off', actor);
  }

  /** One of a channel's switches, audited; the channel as it is after. */
  private switchChannel(accountId: string, channelId: string, set: (tx: StoreTx) => Promise<boolean>, action: string, actor: string): Promise<Channel> {
    return this.store.transaction(async (tx) => {
      await requireAccount(tx, accountId);
      if (!(await set(tx))) throw new BatonError('channel_not_found', `No channel ${channelId} in this account.`);
      await tx.appendAudit(auditEntry(accountId, this.now(), action, channelId, {}, actor));
      return (await tx.getChannel(accountId, channelId))!;
    });
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
