import { Pool } from 'undici';
import { OMNI_PATH, omniMessage } from './bench-config.js';
import type { ChannelSink } from './sink.js';
import { type Latencies, assertLoopback, latencies } from './stats.js';

export type Shape =
  /** `inFlight` visitors, each sending its next message once the answer to the last arrived: finds the peak. */
  | { kind: 'closed'; inFlight: number }
  /** Messages sent on a fixed schedule whatever happens: the latency at a given load. */
  | { kind: 'open'; perSecond: number };

export interface RoundTripOptions {
  /** Where visitors post (Baton processes or the baseline), round-robin. */
  urls: string[];
  sink: ChannelSink;
  shape: Shape;
  /** The chat of round trip i (its conversation); a closed load gives each visitor its own chats. */
  chat: (i: number, visitor: number) => string;
  maxTrips: number;
  maxSeconds: number;
  /** A round trip not back by then counts as lost. */
  timeoutMs?: number;
  /** Distinguishes this run's tokens and message ids from every other run's. */
  run: string;
  /** Stops sending new messages (those under way are still waited for). */
  stop?: AbortSignal;
}

export interface RoundTripResult extends Latencies {
  trips: number;
  lost: number;
  rejected: number;
  seconds: number;
  throughput: number;
  shape: Shape;
}

/**
 * Round trips measured at the visitor: from the omnichannel inbound POST to the `send_message`
 * arrival of the bot's answer to that message (visitor -> Baton -> bot webhook -> bot reply
 * through the API -> Baton -> channel). Under an open load the clock starts at the scheduled
 * send time, so a generator that falls behind does not hide the wait (coordinated omission).
 */
export async function runRoundTrips(opts: RoundTripOptions): Promise<RoundTripResult> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const connections = opts.shape.kind === 'closed' ? opts.shape.inFlight : 64;
  const pools = opts.urls.map((u) => new Pool(assertLoopback(u), { connections: Math.ceil(connections / opts.urls.length) }));
  const times: number[] = [];
  let lost = 0;
  let rejected = 0;
  let last = 0;
  const started = performance.now();
  const deadline = started + opts.maxSeconds * 1000;
  let next = 0;
  const going = () => next < opts.maxTrips && performance.now() < deadline && !opts.stop?.aborted;
  const trip = async (i: number, visitor: number, t0: number): Promise<void> => {
    const token = `${opts.run}-${i}`;
    const arrived = opts.sink.expect(token);
    try {
      const res = await pools[i % pools.length]!.request({ method: 'POST', path: OMNI_PATH, headers: { 'content-type': 'application/json' }, body: omniMessage(opts.chat(i, visitor), token, `rt ${token}`) });
      await res.body.dump();
      if (res.statusCode !== 200) {
        rejected++;
        opts.sink.forget(token);
        return;
      }
    } catch {
      rejected++;
      opts.sink.forget(token);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const at = await Promise.race([arrived, new Promise<null>((r) => { timer = setTimeout(() => r(null), timeoutMs); })]);
    clearTimeout(timer);
    if (at === null) {
      lost++;
      opts.sink.forget(token);
      return;
    }
    times.push(at - t0);
    last = Math.max(last, at);
  };

  if (opts.shape.kind === 'closed') {
    const visitor = async (v: number) => {
      while (going()) await trip(next++, v, performance.now());
    };
    await Promise.all(Array.from({ length: opts.shape.inFlight }, (_, v) => visitor(v)));
  } else {
    const interval = 1000 / opts.shape.perSecond;
    const pending = new Set<Promise<void>>();
    while (going()) {
      // Fire every message whose time has come, then sleep until the next one's.
      const now = performance.now();
      while (going() && started + next * interval <= now) {
        const i = next++;
        const p = trip(i, i, started + i * interval);
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, started + next * interval - performance.now())));
    }
    await Promise.all(pending);
  }
  await Promise.all(pools.map((p) => p.close()));
  const seconds = ((last || performance.now()) - started) / 1000;
  return { trips: times.length, lost, rejected, seconds, throughput: times.length / seconds, shape: opts.shape, ...latencies(times) };
}
