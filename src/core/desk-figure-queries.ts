import type { Conversation } from './conversation.js';
import { between, type DeskFigureReads, type DeskReport, MIN_WAIT_SAMPLES, percentile, periodStart, REPORT_SESSIONS, type QueueStanding, type ReportPeriod, type SessionTimes, WAIT_SAMPLES, waitsOf } from './desk-figures.js';
import type { Agent } from './model.js';

/** Chats ahead counted at most: past it, the visitor is told a number that is still true ("1001st"). */
const QUEUE_CAP = 1000;
/** How far back the typical wait looks for the team's latest taken chats. */
const WAIT_WINDOW_MS = 30 * 86_400_000;

/**
 * Where a chat waiting for the humans stands: its place among the chats queued for its team, and
 * the median wait of the team's latest taken chats (null below MIN_WAIT_SAMPLES of them). Null
 * when the chat is not queued (with the bot, taken, closed).
 *
 * @example await queueStanding(store, conv, now) // { position: 3, typicalWaitMs: 240000 }
 */
export async function queueStanding(store: DeskFigureReads, conv: Conversation, now: Date): Promise<QueueStanding | null> {
  const s = conv.agentSession;
  if (!s || s.status !== 'queued' || s.agentId || conv.status !== 'open') return null;
  const ahead = await store.countQueuedAhead(conv.accountId, s.id, QUEUE_CAP);
  if (ahead === null) return null;
  const taken = await store.latestTaken(conv.accountId, s.team, new Date(now.getTime() - WAIT_WINDOW_MS).toISOString(), WAIT_SAMPLES);
  const waits = waitsOf(taken);
  return { position: ahead + 1, typicalWaitMs: waits.length >= MIN_WAIT_SAMPLES ? percentile(waits, 0.5) : null };
}

/**
 * The inbox report for one period ending now: handovers, waiting times (handover to first take),
 * first response times (first take to the agent's first message), and each agent's takes and closes.
 * Handovers and times are of the sessions opened in the period; takes and closes are counted when
 * they happened, so a chat handed over yesterday and taken today is today's take.
 */
export async function deskReport(store: DeskFigureReads, accountId: string, agents: readonly Agent[], period: ReportPeriod, now: Date): Promise<DeskReport> {
  const since = periodStart(period, now).toISOString();
  const until = now.toISOString();
  const [opened, tallies] = await Promise.all([store.sessionsOpened(accountId, since, until, REPORT_SESSIONS), store.agentTallies(accountId, since, until)]);
  const waits = waitsOf(opened.sessions);
  const answered = opened.sessions.filter((s) => s.takenAt !== null && s.firstReplyAt !== null);
  const responseOf = (s: SessionTimes) => between(s.takenAt!, s.firstReplyAt!);
  return {
    period,
    since,
    until,
    handedOver: opened.conversations,
    // Every agent's, those no longer in baton.yaml too: the team's work does not shrink when someone leaves.
    taken: tallies.reduce((n, t) => n + t.taken, 0),
    waitMedianMs: percentile(waits, 0.5),
    waitP90Ms: percentile(waits, 0.9),
    firstResponseMedianMs: percentile(answered.map(responseOf), 0.5),
    // Only the account's own agents, every one of them, so an agent with nothing done shows a zero.
    agents: agents.map((a) => {
      const t = tallies.find((x) => x.agentId === a.id);
      const mine = answered.filter((s) => s.takenBy === a.id).map(responseOf);
      return { id: a.id, name: a.name, taken: t?.taken ?? 0, closed: t?.closed ?? 0, firstResponseMedianMs: percentile(mine, 0.5) };
    }),
    sampled: opened.sessions.length >= REPORT_SESSIONS,
  };
}
