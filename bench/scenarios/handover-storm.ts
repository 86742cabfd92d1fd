import { chatId } from '../../src/core/ids.js';
import { ACCOUNT, API_KEY } from '../lib/bench-config.js';
import type { BatonProcess } from '../lib/baton-process.js';
import { runLoad } from '../lib/load.js';
import type { Row } from '../lib/report.js';
import type { Rig } from '../lib/rig.js';
import { type RoundTripResult, runRoundTrips } from '../lib/round-trips.js';
import { toRow } from './round-trip.js';

const auth = { authorization: `Bearer ${API_KEY}` };

/**
 * Handover storm: `stormConversations` conversations are opened on the `storm` channel, then each
 * is handed over to the desk (`POST .../handover` by the bot) and handed back (`POST .../handback`),
 * 16 conversations at a time, while round trips keep arriving on a fixed schedule (`perSecond`, on
 * the already open round-trip chats). Two rows: the control calls per second with their latency,
 * and the round trips' latency during the storm.
 */
export async function handoverStorm(rig: Rig, engine: 'sqlite' | 'postgres', baton: BatonProcess, perSecond: number, baseline: string): Promise<Row[]> {
  const n = rig.budget.stormConversations;
  const run = rig.run('st');
  const bound = rig.budget.quick ? 30 : 120;
  const opened = await runLoad({
    urls: [baton.url], connections: rig.budget.ingestConnections, maxRequests: n, maxSeconds: bound,
    request: (i) => ({ method: 'POST', path: '/v1/channels/storm/messages', headers: auth, body: JSON.stringify({ customer: `${run}-${i}`, text: 'open', messageId: `${run}-${i}` }) }),
  });
  await rig.settle();
  // A chat whose opening failed fails its handover too, and is counted there.
  const ids = Array.from({ length: opened.requests }, (_, i) => chatId('storm', `${run}-${i}`, ACCOUNT));
  await rig.pointBot([baton.url]);

  const stop = new AbortController();
  let messages: RoundTripResult | undefined;
  let lastCall = 0;
  const stormRow = await rig.measure([baton], async () => {
    // Messages wait behind the storm's deliveries for as long as that takes: time them all, up to the bound.
    const flowing = runRoundTrips({ urls: [baton.url], sink: rig.sink, shape: { kind: 'open', perSecond }, chat: (i) => `rt-${i % 1000}`, maxTrips: 10_000_000, maxSeconds: bound, timeoutMs: bound * 1000, run: rig.run('rt'), stop: stop.signal });
    const calls = await runLoad({
      urls: [baton.url], connections: 16, maxRequests: ids.length, maxSeconds: bound,
      request: (i) => [
        { method: 'POST', path: `/v1/conversations/${ids[i]}/handover`, headers: auth, body: JSON.stringify({ by: 'bot', note: 'bench storm' }) },
        { method: 'POST', path: `/v1/conversations/${ids[i]}/handback`, headers: auth, body: '{}' },
      ],
    });
    lastCall = performance.now();
    stop.abort();
    messages = await flowing;
    return {
      id: `${engine}.storm.calls`,
      scenario: `handover storm: ${ids.length.toLocaleString('en-US')} conversations handed over and back`,
      engine,
      count: calls.requests - calls.errors,
      errors: calls.errors,
      seconds: calls.seconds,
      throughput: calls.throughput,
      unit: 'calls/s' as const,
      p50: calls.p50,
      p99: calls.p99,
      max: calls.max,
      note: `16 conversations at a time${rig.budget.quick ? ' (--quick: fewer than the full run\'s 10,000)' : ''}${calls.errorSamples.length ? `; errors: ${calls.errorSamples.join(' | ')}` : ''}`,
    };
  });
  const spec = { id: `${engine}.storm.messages`, scenario: 'handover storm: round trips meanwhile', engine, urls: [baton.url], batons: [baton], shape: { kind: 'open' as const, perSecond }, baseline };
  const messageRow: Row = { ...toRow(spec, messages!), cpu: stormRow.cpu, maxRssMb: stormRow.maxRssMb, maxAnonMb: stormRow.maxAnonMb };
  // The messages under way come back only once the backlog before them is out: time from the last call.
  const drained = await rig.settle(bound);
  stormRow.note += `; the outbox ${drained.quiet ? 'drained' : 'was still sending'} ${((performance.now() - lastCall) / 1000).toFixed(0)} s after the last call`;
  return [stormRow, messageRow];
}
