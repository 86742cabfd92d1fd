import { API_KEY, OMNI_PATH, omniMessage } from '../lib/bench-config.js';
import type { BatonProcess } from '../lib/baton-process.js';
import { type Request, runLoad } from '../lib/load.js';
import type { Row } from '../lib/report.js';
import type { Rig } from '../lib/rig.js';

export type Via = 'native' | 'omnichannel';

/**
 * Inbound messages to 1,000 customers, most continuing a conversation as in production. The
 * native API answers 201 and the omnichannel webhook 200 only after the message, its events and
 * their outbox rows are committed: each answer is one durable message.
 */
function inbound(via: Via, run: string): (i: number) => Request {
  if (via === 'native') {
    return (i) => ({ method: 'POST', path: '/v1/channels/api/messages', headers: { authorization: `Bearer ${API_KEY}` }, body: JSON.stringify({ customer: `in-${i % 1000}`, text: `in ${i}`, messageId: `${run}-${i}` }) });
  }
  return (i) => ({ method: 'POST', path: OMNI_PATH, body: omniMessage(`io-${i % 1000}`, `${run}-${i}`, `in ${i}`) });
}

/**
 * Ingest: a closed load of inbound messages, measured as accepted-and-durable answers per second.
 * Every message is routed to the bot (which only acknowledges), so the outbox rows are written
 * and the dispatcher sends them during the load, as it would in production; the note says how
 * fast the bot heard of them. `batons` empty: the baseline forwarder takes the same requests.
 */
export async function ingest(rig: Rig, engine: Row['engine'], via: Via, urls: string[], batons: BatonProcess[]): Promise<Row> {
  const request = inbound(via, rig.run('in'));
  const connections = rig.budget.ingestConnections;
  // Warm-up: opens the 1,000 conversations, so the figure is the steady state.
  await runLoad({ urls, connections, maxRequests: 1000, maxSeconds: rig.budget.quick ? 1 : 10, request });
  await rig.settle();
  const before = await rig.botStats();
  let drained = { seconds: 0, quiet: true };
  const row = await rig.measure(batons, async () => {
    const r = await runLoad({ urls, connections, maxRequests: 2_000_000, maxSeconds: rig.budget.seconds, request: (i) => request(i + 1000) });
    const after = await rig.botStats();
    const webhooksPerSecond = (after.webhooks - before.webhooks) / r.seconds;
    const base = engine === 'baseline';
    return {
      id: `${engine}.ingest.${via}`,
      scenario: `ingest (${via === 'native' ? 'native API' : 'omnichannel webhook'})`,
      engine,
      count: r.requests - r.errors,
      errors: r.errors,
      seconds: r.seconds,
      throughput: r.throughput,
      unit: 'msg/s',
      p50: r.p50,
      p99: r.p99,
      max: r.max,
      ...(base ? {} : { baseline: `baseline.ingest.${via}` }),
      note: `${connections} in flight; the bot heard ${Math.round(webhooksPerSecond)} webhooks/s meanwhile${r.errorSamples.length ? `; errors: ${r.errorSamples.join(' | ')}` : ''}`,
    };
  }, async () => {
    drained = await rig.settle();
  });
  if (engine !== 'baseline' && drained.seconds > 2) row.note += `; the outbox ${drained.quiet ? 'drained' : 'was still sending'} ${drained.seconds.toFixed(0)} s after the load`;
  return row;
}
