import { batonHome } from '../lib/baton-process.js';
import type { Row } from '../lib/report.js';
import type { Rig } from '../lib/rig.js';
import { roundTrips, warmUp } from './round-trip.js';

/**
 * Scale-out: the same closed round-trip load against one Baton process and then against three on
 * one fresh PostgreSQL schema (the first plus two more started on its home). Visitors' posts and
 * the bot's replies are spread round-robin over the processes; every dispatcher claims from the
 * shared outbox. Twice the usual number in flight, so three processes have work enough to share.
 */
export async function scaleOut(rig: Rig): Promise<Row[]> {
  const home = batonHome('postgres', rig.configFile);
  try {
    const shape = { kind: 'closed' as const, inFlight: rig.budget.inFlight * 2 };
    const first = await home.start();
    await warmUp(rig, [first.url]);
    const one = await roundTrips(rig, { id: 'postgres.scaleOut.1', scenario: 'round trip, 1 process', engine: 'postgres', urls: [first.url], batons: [first], shape, baseline: 'baseline.roundTrip.peak' });
    const all = [first, await home.start(), await home.start()];
    const urls = all.map((b) => b.url);
    // The new processes' first requests compile their code paths; keep that out of the figure.
    await warmUp(rig, urls, undefined, 500);
    const three = await roundTrips(rig, { id: 'postgres.scaleOut.3', scenario: 'round trip, 3 processes', engine: 'postgres', urls, batons: all, shape, baseline: 'baseline.roundTrip.peak' });
    return [one, three];
  } finally {
    await home.dispose();
  }
}
