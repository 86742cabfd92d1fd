/**
 * Figures about the humans' work, read from each agent session's milestones: when it was handed
 * over (opened), first taken by an agent, first answered by one, and closed. Takeovers (an agent
 * taking a chat from the bot) have no wait and are left out of the waiting figures.
 */

/** One agent session's milestones, as the store keeps them (store/agent-session-facts.ts). */
export interface SessionTimes {
  openedAt: string;
  takenAt: string | null;
  firstReplyAt: string | null;
  reason: string | null;
  /** The agent who first took it: the first response is theirs to answer for. */
  takenBy: string | null;
}

/** Where a waiting chat stands: its place among the chats queued for the same team, and a typical wait. */
export interface QueueStanding {
  /** 1 for the next chat an agent takes. */
  position: number;
  /** The median wait of the team's latest taken chats; null with too few of them to say. */
  typicalWaitMs: number | null;
}

export interface AgentTally { agentId: string; taken: number; closed: number }

/** The report periods of the inbox's admin page. */
export const REPORT_PERIODS = Object.freeze({ today: 'today', week: '7d', month: '30d' } as const);
export type ReportPeriod = (typeof REPORT_PERIODS)[keyof typeof REPORT_PERIODS];

export interface DeskReport {
  period: ReportPeriod;
  since: string;
  until: string;
  /** Conversations handed to the humans in the period (takeovers aside). */
  handedOver: number;
  /** Sessions first taken by an agent in the period, from the queue or by taking over from the bot. */
  taken: number;
  waitMedianMs: number | null;
  waitP90Ms: number | null;
  firstResponseMedianMs: number | null;
  /**
   * Every agent of the account, with the sessions they first took and closed in the period, and
   * the median first response of the sessions opened in the period that they took.
   */
  agents: { id: string; name: string; taken: number; closed: number; firstResponseMedianMs: number | null }[];
  /** More sessions than the report reads were opened in the period: the times are of the latest ones. */
  sampled: boolean;
}

/** Fewer taken chats than this and the chat says nothing about the wait rather than guess. */
export const MIN_WAIT_SAMPLES = 3;
/** The latest taken chats the typical wait is the median of. */
export const WAIT_SAMPLES = 50;
/** The sessions one report reads at most (the latest of its period). */
export const REPORT_SESSIONS = 20_000;

/** The store's reads for these figures; each is one indexed, bounded query. */
export interface DeskFigureReads {
  /** Sessions queued for `team` (the general queue when null) handed over before the session, at most `cap`. */
  countQueuedAhead(accountId: string, agentSessionId: string, cap: number): Promise<number | null>;
  /** The latest sessions of `team` taken since `since` after a wait (takeovers aside), newest first. */
  latestTaken(accountId: string, team: string | null, since: string, limit: number): Promise<SessionTimes[]>;
  /** Sessions opened in [since, until), newest first, and how many distinct conversations they were. */
  sessionsOpened(accountId: string, since: string, until: string, limit: number): Promise<{ sessions: SessionTimes[]; conversations: number }>;
  /** Per agent: sessions first taken and sessions closed in [since, until). */
  agentTallies(accountId: string, since: string, until: string): Promise<AgentTally[]>;
}

/** The value below which a fraction `p` of the values lie (nearest rank); null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Milliseconds from `a` to `b`, never negative. */
export function between(a: string, b: string): number {
  return Math.max(0, Date.parse(b) - Date.parse(a));
}

export function waitsOf(sessions: readonly SessionTimes[]): number[] {
  return sessions.filter((s) => s.takenAt !== null && s.reason !== 'takeover').map((s) => between(s.openedAt, s.takenAt!));
}

/** Where the period starts: midnight UTC for today, else that many days back from `now`. */
export function periodStart(period: ReportPeriod, now: Date): Date {
  if (period === 'today') return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return new Date(now.getTime() - (period === '7d' ? 7 : 30) * 86_400_000);
}
