import { type Kysely, type Transaction } from 'kysely';
import type { Conversation } from '../core/conversation.js';
import type { AgentTally, DeskFigureReads, SessionTimes } from '../core/desk-figures.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** What a session's row says of it, from the conversation's state (milestones keep their first time). */
function factsOf(conv: Conversation) {
  const s = conv.agentSession!;
  const answered = s.hadAgentReply || (s.replies ?? 0) > 0;
  return {
    status: s.status,
    team: s.team,
    reason: s.reason,
    agent_id: s.agentId,
    taken_at: s.agentId ? conv.updatedAt : null,
    taken_by: s.agentId,
    first_reply_at: answered ? conv.updatedAt : null,
    closed_at: s.closedAt,
    closed_by: s.closedAt ? s.agentId : null,
  };
}

function sameFacts(a: Conversation['agentSession'], b: Conversation['agentSession']): boolean {
  if (!a || !b || a.id !== b.id) return false;
  return a.status === b.status && a.team === b.team && a.agentId === b.agentId && a.closedAt === b.closedAt && a.hadAgentReply === b.hadAgentReply && (a.replies ?? 0) > 0 === (b.replies ?? 0) > 0;
}

/**
 * Writes the session's row when it is new or its milestones moved; a message that changes nothing
 * about the session writes nothing more. The first take and the first answer keep the time they
 * happened at (the command's clock, the conversation's `updatedAt`).
 */
export async function writeSessionFacts(trx: Transaction<Database>, conv: Conversation, previous?: Conversation): Promise<void> {
  const s = conv.agentSession;
  if (!s || sameFacts(s, previous?.agentSession ?? null)) return;
  const facts = factsOf(conv);
  await trx.insertInto('agent_sessions')
    .values({ account_id: conv.accountId, id: s.id, conversation_id: conv.id, opened_at: s.openedAt, ...facts })
    .onConflict((oc) => oc.columns(['account_id', 'id']).doUpdateSet((eb) => ({
      status: eb.ref('excluded.status'),
      team: eb.ref('excluded.team'),
      agent_id: eb.ref('excluded.agent_id'),
      taken_at: eb.fn.coalesce('agent_sessions.taken_at', eb.ref('excluded.taken_at')),
      taken_by: eb.fn.coalesce('agent_sessions.taken_by', eb.ref('excluded.taken_by')),
      first_reply_at: eb.fn.coalesce('agent_sessions.first_reply_at', eb.ref('excluded.first_reply_at')),
      closed_at: eb.ref('excluded.closed_at'),
      closed_by: eb.ref('excluded.closed_by'),
    })))
    .execute();
}

const TIMES = ['opened_at', 'taken_at', 'first_reply_at', 'reason', 'taken_by'] as const;
const toTimes = (r: { opened_at: string; taken_at?: string | null; first_reply_at?: string | null; reason?: string | null; taken_by?: string | null }): SessionTimes => ({ openedAt: r.opened_at, takenAt: r.taken_at ?? null, firstReplyAt: r.first_reply_at ?? null, reason: r.reason ?? null, takenBy: r.taken_by ?? null });

/** The figures' reads (core/desk-figures.ts), each on an index of migration 019. */
export function deskFigureReads(db: Db): DeskFigureReads {
  return {
    async countQueuedAhead(accountId, agentSessionId, cap) {
      const mine = await db.selectFrom('agent_sessions').select(['opened_at', 'status', 'team']).where('account_id', '=', accountId).where('id', '=', agentSessionId).executeTakeFirst();
      if (!mine || mine.status !== 'queued') return null;
      // (account_id, status, opened_at): the queued sessions older than this one, a bounded few read.
      const ahead = db.selectFrom('agent_sessions').select('id')
        .where('account_id', '=', accountId).where('status', '=', 'queued')
        .where((eb) => (mine.team == null ? eb('team', 'is', null) : eb('team', '=', mine.team)))
        .where((eb) => eb.or([eb('opened_at', '<', mine.opened_at), eb.and([eb('opened_at', '=', mine.opened_at), eb('id', '<', agentSessionId)])]))
        .limit(cap);
      const row = await db.selectFrom(ahead.as('ahead')).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async latestTaken(accountId, team, since, limit) {
      const found = await db.selectFrom('agent_sessions').select(TIMES)
        .where('account_id', '=', accountId).where('taken_at', '>=', since)
        .where((eb) => (team === null ? eb('team', 'is', null) : eb('team', '=', team)))
        .where('reason', '<>', 'takeover')
        .orderBy('taken_at', 'desc').limit(limit).execute();
      return found.map(toTimes);
    },

    async sessionsOpened(accountId, since, until, limit) {
      const inPeriod = db.selectFrom('agent_sessions').where('account_id', '=', accountId).where('opened_at', '>=', since).where('opened_at', '<', until);
      const [found, count] = await Promise.all([
        inPeriod.select(TIMES).orderBy('opened_at', 'desc').limit(limit).execute(),
        inPeriod.where('reason', '<>', 'takeover').select((eb) => eb.fn.count<number | string>('conversation_id').distinct().as('n')).executeTakeFirst(),
      ]);
      return { sessions: found.map(toTimes), conversations: Number(count?.n ?? 0) };
    },

    async agentTallies(accountId, since, until) {
      const [taken, closed] = await Promise.all([
        db.selectFrom('agent_sessions').select(['taken_by as agent', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('account_id', '=', accountId).where('taken_at', '>=', since).where('taken_at', '<', until).where('taken_by', 'is not', null)
          .groupBy('taken_by').execute(),
        db.selectFrom('agent_sessions').select(['closed_by as agent', (eb) => eb.fn.countAll<number | string>().as('n')])
          .where('account_id', '=', accountId).where('closed_at', '>=', since).where('closed_at', '<', until).where('closed_by', 'is not', null)
          .groupBy('closed_by').execute(),
      ]);
      const tallies = new Map<string, AgentTally>();
      const of = (id: string) => tallies.get(id) ?? tallies.set(id, { agentId: id, taken: 0, closed: 0 }).get(id)!;
      for (const r of taken) if (r.agent) of(r.agent).taken = Number(r.n);
      for (const r of closed) if (r.agent) of(r.agent).closed = Number(r.n);
      return [...tallies.values()];
    },
  };
}
