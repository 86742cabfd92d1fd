import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';

/**
 * Resident set size of a process in MB, from /proc, whole and anonymous (its own heap and stacks,
 * without the pages of files it maps, such as SQLite's memory-mapped database); 0 once it is gone.
 */
export function rssMb(pid: number): { total: number; anon: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { total: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
  } catch {
    return { total: 0, anon: 0 };
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (n[3] ?? 0) + (n[4] ?? 0); // idle + iowait
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Busy share of all cores over a stretch of time, and the CPU the named processes used in it. */
export interface CpuWindow {
  stop(): { machineBusy: number; cores: Record<string, number> };
}

/** Starts measuring; `pids` are the processes whose use (in cores, 1.0 = one full core) is reported. */
export function cpuWindow(pids: Record<string, number[]>): CpuWindow {
  const t0 = performance.now();
  const m0 = machineTicks();
  const p0 = new Map(Object.values(pids).flat().map((p) => [p, cpuSeconds(p)]));
  // A process gone by the end (a PostgreSQL backend that closed) is left out rather than counted negative.
  const used = (p: number) => {
    const end = cpuSeconds(p);
    return end > 0 ? end - p0.get(p)! : 0;
  };
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000;
      const m1 = machineTicks();
      const cores = Object.fromEntries(Object.entries(pids).map(([k, ps]) => [k, ps.reduce((a, p) => a + used(p), 0) / seconds]));
      return { machineBusy: m1.total > m0.total ? (m1.busy - m0.busy) / (m1.total - m0.total) : 0, cores };
    },
  };
}

/** Processes whose command name is `name` (the PostgreSQL server's processes, to see its share). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** What `uptime` says about the load, for the record. */
export function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(2)).join(', ');
}

/** Peak RSS of a process, sampled every 200 ms; `reset()` starts a new peak for the next phase. */
export class RssPeak {
  private peak = 0;
  private anonPeak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 200);
    this.timer.unref();
  }

  private sample(): void {
    const now = rssMb(this.pid);
    this.peak = Math.max(this.peak, now.total);
    this.anonPeak = Math.max(this.anonPeak, now.anon);
  }

  reset(): void {
    this.peak = 0;
    this.anonPeak = 0;
    this.sample();
  }

  mb(): number {
    this.sample();
    return this.peak;
  }

  anonMb(): number {
    this.sample();
    return this.anonPeak;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
