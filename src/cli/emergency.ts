import type { RuntimeConfig } from '../app.js';
import { systemClock } from '../core/clock.js';
import type { HandBack } from '../core/control-types.js';
import { Router } from '../core/router.js';
import { onMigratedStore } from './migrated-store.js';

export interface EmergencyArgs {
  on: boolean;
  account: string;
  /** A channel (Engage "source"): switch its default routing for new threads only. */
  source?: string;
  /** Switching the account off: what becomes of the conversations the switch handed over. */
  handBack?: HandBack;
}

/**
 * `baton emergency on|off --account A [--source C]`: the emergency handover from the command line
 * (seed 003), working on the store like `doctor`. With `--source`, new threads on that channel go
 * to the humans; without, the account-wide switch hands every open conversation over too, and
 * `off --quietly` or `--keep-with-agents` chooses what its end does to them. A running Baton
 * picks up the deliveries it causes at its next poll.
 */
export async function emergency(cfg: RuntimeConfig, args: EmergencyArgs): Promise<number> {
  return onMigratedStore(cfg, async (store) => {
    const router = new Router(store, systemClock);
    const state = args.on ? 'on' : 'off';
    if (args.source) {
      const channel = await router.setChannelEmergency(args.account, args.source, args.on, 'cli');
      console.log(`account ${args.account}, channel ${channel.id}: emergency ${state}; new threads go to ${args.on ? 'the humans' : 'the rule\'s routing'}.`);
      return 0;
    }
    const result = await router.setEmergency(args.account, args.on, 'cli', args.handBack);
    if (args.on) console.log(`account ${args.account}: emergency handover on; ${result.conversations} conversation(s) moved.`);
    else console.log(`account ${args.account}: emergency handover off; ${result.handedBack ?? 0} conversation(s) back with their bot (${(args.handBack ?? 'tell_bots') === 'tell_bots' ? 'each bot told' : 'no bot told'}), ${result.keptWithAgents ?? 0} left with the humans.`);
    for (const f of result.failed) console.log(`  not moved: ${f.id}: ${f.reason}`);
    return 0;
  });
}
