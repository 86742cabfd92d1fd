/** One line of the table: a scenario measured on one engine (or on the baseline). */
export interface Row {
  /** Stable key the targets and the baseline references use, e.g. `sqlite.roundTrip.peak`. */
  id: string;
  scenario: string;
  engine: 'sqlite' | 'postgres' | 'baseline';
  /** What completed, and what failed or was lost. */
  count: number;
  errors: number;
  seconds: number;
  throughput: number;
  unit: 'msg/s' | 'trips/s' | 'calls/s';
  p50: number;
  p99: number;
  max: number;
  /** Peak RSS of the Baton process(es) during this measurement (the largest one when several). */
  maxRssMb: number | null;
  /** The same for anonymous memory only: RSS less file pages (SQLite maps up to 256 MB of its file). */
  maxAnonMb: number | null;
  /** Share of the machine's cores busy (all processes, ours or not), and cores used by ours. */
  cpu: { machineBusy: number; cores: Record<string, number> };
  /** What one operation (message, round trip, call) cost the Baton process(es): SQL statements, commits, CPU ms. */
  perOp?: { statements: number; commits: number; cpuMs: number };
  /** The baseline row this one is compared with. */
  baseline?: string;
  note?: string;
}

export interface Target {
  what: string;
  /** The measured value and the bound, in the bound's unit; null when a row it needs is missing. */
  measured: number | null;
  bound: number;
  /** `min`: met when measured >= bound; `max`: met when measured <= bound. */
  kind: 'min' | 'max';
  unit: string;
  note?: string;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratioText(row: Row, rows: Row[]): string {
  const base = row.baseline ? rows.find((r) => r.id === row.baseline) : undefined;
  if (!base || base.throughput === 0) return '';
  const p99 = base.p99 > 0 ? `, p99 ${fmt(row.p99 / base.p99, 1)}x` : '';
  return `thr ${fmt((100 * row.throughput) / base.throughput)}%${p99}`;
}

export function table(rows: Row[]): string {
  const head = ['scenario', 'engine', 'done/lost', 'throughput', 'p50 ms', 'p99 ms', 'SQL/op', 'commits/op', 'CPU ms/op', 'max RSS MB (anon)', 'CPU busy (server cores)', 'vs baseline'];
  const body = rows.map((r) => [
    r.scenario,
    r.engine,
    `${r.count}/${r.errors}`,
    `${fmt(r.throughput)} ${r.unit}`,
    fmt(r.p50, 1),
    fmt(r.p99, 1),
    r.perOp ? fmt(r.perOp.statements, 1) : '-',
    r.perOp ? fmt(r.perOp.commits, 2) : '-',
    r.perOp ? fmt(r.perOp.cpuMs, 2) : '-',
    r.maxRssMb === null ? '-' : `${fmt(r.maxRssMb)} (${fmt(r.maxAnonMb ?? 0)})`,
    // The server is Baton, or the forwarder on baseline rows; on PostgreSQL its server's share too.
    `${fmt(100 * r.cpu.machineBusy)}% (${fmt(r.cpu.cores.baton ?? r.cpu.cores.forwarder ?? 0, 2)}${r.engine === 'postgres' ? ` + pg ${fmt(r.cpu.cores.postgres ?? 0, 2)}` : ''})`,
    ratioText(r, rows),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const right = new Set([2, 3, 4, 5, 6, 7, 8, 9]);
  const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.scenario} (${r.engine}): ${r.note}`);
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ...(notes.length ? ['', 'Notes:', ...notes] : [])].join('\n');
}

export function targetLines(targets: Target[]): string {
  return targets.map((t) => {
    const bound = `${t.kind === 'min' ? '>=' : '<='} ${fmt(t.bound, t.bound < 10 ? 2 : 0)}${t.unit}`;
    if (t.measured === null) return `  [ n/a ] ${t.what} (${bound}): not measured${t.note ? `; ${t.note}` : ''}`;
    const met = t.kind === 'min' ? t.measured >= t.bound : t.measured <= t.bound;
    const by = t.bound === 0 ? 0 : Math.abs(t.measured - t.bound) / t.bound;
    const verdict = met ? `met, by ${fmt(100 * by)}%` : `MISSED by ${fmt(100 * by)}%`;
    return `  [${met ? ' met ' : 'MISS '}] ${t.what}: ${fmt(t.measured, t.measured < 10 ? 2 : 0)}${t.unit} (${bound}): ${verdict}${t.note ? `; ${t.note}` : ''}`;
  }).join('\n');
}
