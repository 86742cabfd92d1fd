import type { Row, Target } from './report.js';

/**
 * The issue's targets, each computed from the rows it needs (null when one is missing). Reported,
 * never asserted: the machine has 2 cores and may be busy with other work.
 */
export function targetsFor(rows: Row[], opts: { quick: boolean; scaleConversations: number }): Target[] {
  const row = (id: string) => rows.find((r) => r.id === id);
  const ratio = (a: Row | undefined, b: Row | undefined, f: (r: Row) => number, times = 1): number | null => (a && b && f(b) ? (times * f(a)) / f(b) : null);
  const thr = (r: Row) => r.throughput;
  const p99 = (r: Row) => r.p99;
  const big = row('sqlite.scale.big');
  const small = row('sqlite.scale.small');
  const bigCount = opts.scaleConversations.toLocaleString('en-US');
  const halfRate = row('sqlite.roundTrip.half')?.throughput;
  const three = row('postgres.scaleOut.3');
  const rss = (engine: 'sqlite' | 'postgres', name: string): Target => {
    const r = row(`${engine}.roundTrip.peak`);
    return { what: `max RSS of one process under the round-trip load (${name})`, measured: r?.maxRssMb ?? null, bound: 300, kind: 'max', unit: ' MB', ...(r ? { note: `${(r.maxAnonMb ?? 0).toFixed(0)} MB of it anonymous, the rest mapped files${engine === 'sqlite' ? ' (SQLite maps up to 256 MB of its database)' : ''}` } : {}) };
  };
  return [
    { what: 'round trip on SQLite, share of the baseline\'s throughput', measured: ratio(row('sqlite.roundTrip.peak'), row('baseline.roundTrip.peak'), thr, 100), bound: 50, kind: 'min', unit: '%' },
    { what: `p99 at half of Baton's peak (SQLite${halfRate ? `, ${halfRate.toFixed(0)}/s` : ''}) over the baseline's p99 at that load`, measured: ratio(row('sqlite.roundTrip.half'), row('baseline.roundTrip.half.sqlite'), p99), bound: 3, kind: 'max', unit: 'x' },
    { what: 'ingest on SQLite, native API', measured: row('sqlite.ingest.native')?.throughput ?? null, bound: 5000, kind: 'min', unit: ' msg/s' },
    { what: 'ingest on SQLite, omnichannel webhook', measured: row('sqlite.ingest.omnichannel')?.throughput ?? null, bound: 5000, kind: 'min', unit: ' msg/s' },
    { what: 'ingest on PostgreSQL, native API', measured: row('postgres.ingest.native')?.throughput ?? null, bound: 3000, kind: 'min', unit: ' msg/s' },
    { what: 'ingest on PostgreSQL, omnichannel webhook', measured: row('postgres.ingest.omnichannel')?.throughput ?? null, bound: 3000, kind: 'min', unit: ' msg/s' },
    { what: `round trip with ${bigCount} conversations in store, share of the 1,000-conversation throughput`, measured: ratio(big, small, thr, 100), bound: 90, kind: 'min', unit: '%', ...(opts.quick ? { note: 'the full run seeds 1,000,000' } : {}) },
    { what: `round trip with ${bigCount} conversations in store, p99 over the 1,000-conversation p99`, measured: ratio(big, small, p99), bound: 1.2, kind: 'max', unit: 'x' },
    {
      what: 'three processes on PostgreSQL over one', measured: ratio(three, row('postgres.scaleOut.1'), thr), bound: 1.6, kind: 'min', unit: 'x',
      ...(three ? { note: `${three.cpu.machineBusy > 0.9 ? 'the machine was the limit: ' : ''}all cores ${(100 * three.cpu.machineBusy).toFixed(0)}% busy during the 3-process run, the three Batons using ${(three.cpu.cores.baton ?? 0).toFixed(2)} and PostgreSQL ${(three.cpu.cores.postgres ?? 0).toFixed(2)} of 2` } : {}),
    },
    rss('sqlite', 'SQLite'),
    rss('postgres', 'PostgreSQL'),
  ];
}
