import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT } from '../lib/bench-config.js';
import { type Engine, batonHome } from '../lib/baton-process.js';
import type { Row } from '../lib/report.js';
import type { Rig } from '../lib/rig.js';
import { runRoundTrips } from '../lib/round-trips.js';
import { seedStore } from '../lib/seed-store.js';
import { roundTrips, warmUp } from './round-trip.js';

/** The template's chat; its message ids contain it too, so every clone gets its own. */
const TEMPLATE = 'seed-tmpl';

function diskMb(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0) / 1e6;
}

/**
 * Scale: the round trip on a store that already holds `conversations` conversations with
 * their messages and events. One real round trip makes a template conversation; Baton stops; the
 * seeder clones it `conversations` times straight into the store (bench/lib/seed-store.ts); Baton
 * starts again on it and the round trips go to seeded chats picked at random: returning customers
 * spread over the whole store, not a hot thousand.
 */
export async function scale(rig: Rig, engine: Engine, conversations: number, id: string, seedSeconds: number, outboxHistory: boolean): Promise<Row> {
  const home = batonHome(engine, rig.configFile);
  try {
    let baton = await home.start();
    await rig.pointBot([baton.url]);
    const made = await runRoundTrips({ urls: [baton.url], sink: rig.sink, shape: { kind: 'closed', inFlight: 1 }, chat: () => TEMPLATE, maxTrips: 1, maxSeconds: 15, run: TEMPLATE });
    if (made.trips !== 1) throw new Error('the template round trip did not come back');
    await rig.settle();
    await baton.stop();

    const seed = await seedStore(home.store, { accountId: ACCOUNT, channelId: 'omni', business: ACCOUNT, chat: TEMPLATE }, { count: conversations, prefix: 'seed-', maxSeconds: seedSeconds, outboxHistory });
    const disk = engine === 'sqlite' ? diskMb(home.store.dataDir) : null;
    baton = await home.start();
    const chat = () => `seed-${Math.floor(Math.random() * seed.seeded)}`;
    await warmUp(rig, [baton.url], chat, 500);
    const short = seed.seeded < conversations ? ` (of ${conversations.toLocaleString('en-US')}: the ${seedSeconds} s seeding limit came first)` : '';
    return await roundTrips(rig, {
      id,
      scenario: `round trip, ${seed.seeded.toLocaleString('en-US')} conversations in store${short}`,
      engine,
      urls: [baton.url],
      batons: [baton],
      shape: { kind: 'closed', inFlight: rig.budget.inFlight },
      chat,
      baseline: 'baseline.roundTrip.peak',
      note: `chats picked at random among the seeded; seeded ${seed.rows.toLocaleString('en-US')} rows in ${seed.seconds.toFixed(0)} s${outboxHistory ? ' with' : ' without'} their delivered outbox rows${disk === null ? '' : `, ${disk >= 1000 ? `${(disk / 1000).toFixed(1)} GB` : `${disk.toFixed(0)} MB`} on disk`}`,
    });
  } finally {
    await home.dispose();
  }
}
