import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, writeBenchConfig } from './bench-config.js';
import type { BatonProcess } from './baton-process.js';
import { type ChildServer, startChildServer } from './child-server.js';
import { cpuSeconds, cpuWindow, pidsNamed } from './machine.js';
import type { Row } from './report.js';
import { type ChannelSink, startSink } from './sink.js';

/** How long and how much, for the full run and for `--quick`. */
export interface Budget {
  quick: boolean;
  /** Seconds of each measured load. */
  seconds: number;
  ingestConnections: number;
  /** Round trips in flight under the closed (peak) load. */
  inFlight: number;
  stormConversations: number;
  /** Conversations in the big store of the scale scenario, and the time allowed to seed it. */
  scaleConversations: number;
  seedSeconds: number;
}

export const FULL: Budget = { quick: false, seconds: 15, ingestConnections: 32, inFlight: 32, stormConversations: 10_000, scaleConversations: 1_000_000, seedSeconds: 360 };
export const QUICK: Budget = { quick: true, seconds: 2, ingestConnections: 32, inFlight: 32, stormConversations: 1_000, scaleConversations: 100_000, seedSeconds: 30 };

interface BotStats { webhooks: number; desk: number; replies: number; replyErrors: number; lastError: string }

/**
 * What every scenario shares: the channel sink (in this process: it is the visitor's side), the
 * bot (its own process), the baseline forwarder (its own process) and the bench baton.yaml.
 */
export interface Rig {
  budget: Budget;
  sink: ChannelSink;
  bot: ChildServer;
  forwarder: ChildServer;
  configFile: string;
  /** A fresh prefix for tokens and message ids, so no two loads collide. */
  run(name: string): string;
  /** Where the bot posts its replies from now on (one or several Baton processes, or the forwarder). */
  pointBot(urls: string[]): Promise<void>;
  botStats(): Promise<BotStats>;
  /**
   * Waits until the bot has heard nothing for a while: what a load left in the outbox went out.
   * Says how long that took, and whether it happened within `maxSeconds`.
   */
  settle(maxSeconds?: number): Promise<{ seconds: number; quiet: boolean }>;
  /** Runs `fn` and returns its row with CPU use and the peak RSS of `batons` while it ran. */
  measure(batons: BatonProcess[], fn: () => Promise<Omit<Row, 'cpu' | 'maxRssMb' | 'maxAnonMb'>>, tail?: () => Promise<void>): Promise<Row>;
  close(): Promise<void>;
}

export async function startRig(budget: Budget): Promise<Rig> {
  const sink = await startSink();
  const bot = await startChildServer('fast-bot.ts', { BENCH_API_KEY: API_KEY });
  const forwarder = await startChildServer('forwarder.ts', { FORWARD_BOT_URL: `${bot.url}/bot`, FORWARD_SINK_URL: sink.url });
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-config-'));
  const configFile = writeBenchConfig(dir, { botUrl: bot.url, sinkUrl: sink.url });
  let runs = 0;
  const botStats = async () => (await (await fetch(`${bot.url}/_stats`)).json()) as BotStats;
  return {
    budget,
    sink,
    bot,
    forwarder,
    configFile,
    run: (name) => `${name}${++runs}${Date.now().toString(36)}`,
    async pointBot(urls) {
      const res = await fetch(`${bot.url}/_targets`, { method: 'PUT', body: JSON.stringify({ urls }) });
      if (!res.ok) throw new Error(`the bot refused its targets: ${res.status}`);
    },
    botStats,
    async settle(maxSeconds = 60) {
      const started = performance.now();
      let last = -1;
      for (;;) {
        const s = await botStats();
        const seen = s.webhooks + s.desk;
        const seconds = (performance.now() - started) / 1000;
        if (seen === last || seconds > maxSeconds) return { seconds, quiet: seen === last };
        last = seen;
        await new Promise((r) => setTimeout(r, 400));
      }
    },
    // `tail` (the outbox draining after a load) counts towards the cost per operation, not the rate.
    async measure(batons, fn, tail) {
      for (const b of batons) b.rss.reset();
      const sql0 = await sqlCounts(batons);
      const cpu0 = batons.reduce((a, b) => a + cpuSeconds(b.pid), 0);
      // The PostgreSQL server's share is the whole server's, this bench's schema or not.
      const cpu = cpuWindow({ ...(batons.length ? { baton: batons.map((b) => b.pid) } : {}), bot: [bot.pid], forwarder: [forwarder.pid], bench: [process.pid], postgres: pidsNamed('postgres') });
      const row = await fn();
      const used = cpu.stop();
      await tail?.();
      const cpuMs = 1000 * (batons.reduce((a, b) => a + cpuSeconds(b.pid), 0) - cpu0);
      const sql1 = await sqlCounts(batons);
      const some = batons.length > 0;
      const per = row.count > 0 && some ? { statements: (sql1.statements - sql0.statements) / row.count, commits: (sql1.commits - sql0.commits) / row.count, cpuMs: cpuMs / row.count } : undefined;
      return { ...row, cpu: used, ...(per ? { perOp: per } : {}), maxRssMb: some ? Math.max(...batons.map((b) => b.rss.mb())) : null, maxAnonMb: some ? Math.max(...batons.map((b) => b.rss.anonMb())) : null };
    },
    async close() {
      await Promise.all([bot.stop(), forwarder.stop(), sink.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Statements and commits the Baton processes ran so far, from their `/metrics`. The scrape's own
 * few statements are counted too; over hundreds of operations they do not show.
 */
async function sqlCounts(batons: BatonProcess[]): Promise<{ statements: number; commits: number }> {
  let statements = 0;
  let commits = 0;
  for (const b of batons) {
    const text = await (await fetch(`${b.url}/metrics`)).text();
    statements += Number(/^baton_sql_statements_total (\d+)/m.exec(text)?.[1] ?? 0);
    commits += Number(/^baton_sql_commits_total (\d+)/m.exec(text)?.[1] ?? 0);
  }
  return { statements, commits };
}
