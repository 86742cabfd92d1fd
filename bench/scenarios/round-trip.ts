import type { BatonProcess } from '../lib/baton-process.js';
import type { Row } from '../lib/report.js';
import type { Rig } from '../lib/rig.js';
import { type RoundTripResult, type Shape, runRoundTrips } from '../lib/round-trips.js';

export interface RoundTripSpec {
  id: string;
  scenario: string;
  engine: Row['engine'];
  /** Where visitors post: Baton processes or the forwarder. */
  urls: string[];
  batons: BatonProcess[];
  shape: Shape;
  /** The chat of round trip i; by default 1,000 chats in turn. */
  chat?: (i: number) => string;
  baseline?: string;
  note?: string;
  stop?: AbortSignal;
  maxSeconds?: number;
}

const thousandChats = (i: number) => `rt-${i % 1000}`;

export function toRow(spec: RoundTripSpec, r: RoundTripResult): Omit<Row, 'cpu' | 'maxRssMb' | 'maxAnonMb'> {
  const load = r.shape.kind === 'closed' ? `${r.shape.inFlight} in flight` : `${Math.round(r.shape.perSecond)}/s scheduled`;
  return {
    id: spec.id,
    scenario: spec.scenario,
    engine: spec.engine,
    count: r.trips,
    errors: r.lost + r.rejected,
    seconds: r.seconds,
    throughput: r.throughput,
    unit: 'trips/s',
    p50: r.p50,
    p99: r.p99,
    max: r.max,
    ...(spec.baseline ? { baseline: spec.baseline } : {}),
    note: [load, spec.note].filter(Boolean).join('; '),
  };
}

/**
 * Round trips, measured at the visitor: omnichannel inbound POST -> native webhook to the
 * harness's bot -> the bot's reply through the API -> `send_message` at the channel sink.
 * The bot is told where to reply (the Baton processes, or the forwarder) before the load.
 */
export async function roundTrips(rig: Rig, spec: RoundTripSpec): Promise<Row> {
  await rig.pointBot(spec.urls);
  return rig.measure(spec.batons, async () => toRow(spec, await runRoundTrips({
    urls: spec.urls,
    sink: rig.sink,
    shape: spec.shape,
    chat: spec.chat ?? thousandChats,
    maxTrips: 10_000_000,
    maxSeconds: spec.maxSeconds ?? rig.budget.seconds,
    run: rig.run('rt'),
    ...(spec.stop ? { stop: spec.stop } : {}),
  })));
}

/** Opens the 1,000 chats (or whatever `chat` names) so that measured trips continue conversations. */
export async function warmUp(rig: Rig, urls: string[], chat: (i: number) => string = thousandChats, trips = 1000): Promise<void> {
  await rig.pointBot(urls);
  await runRoundTrips({ urls, sink: rig.sink, shape: { kind: 'closed', inFlight: rig.budget.inFlight }, chat, maxTrips: trips, maxSeconds: rig.budget.quick ? 2 : 10, run: rig.run('warm') });
  await rig.settle();
}
