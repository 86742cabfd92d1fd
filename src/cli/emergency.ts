import type { RuntimeConfig } from '../app.js';
import { systemClock } from '../core/clock.js';
import { Router } from '../core/router.js';
import { onMigratedStore } from './migrated-store.js';

export interface EmergencyArgs {
  on: boolean;
  account: string;
  /** A channel (Engage "source"): switch its default routing for new threads only. */
  source?: string;
}

/**
 * `baton emergency on|off --account A [--source C]`: the emergency handover from the command line
 * (seed 003), working on the store like `doctor`. With `--source`, new threads on that channel go
 * to the humans; without, the account-wide switch hands every open conversation over too. A
 * running Baton picks up the deliveries it causes at its next poll.
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
    const result = await router.setEmergency(args.account, args.on, 'cli');
    console.log(`account ${args.account}: emergency handover ${state}; ${result.conversations} conversation(s) moved.`);
    for (const f of result.failed) console.log(`  not moved: ${f.id}: ${f.reason}`);
    return 0;
  });
}
