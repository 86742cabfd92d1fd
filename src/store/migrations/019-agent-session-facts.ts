import type { Kysely } from 'kysely';

/** The columns this migration reads and fills, as they are at this point of the history. */
interface Backfill {
  conversations: { account_id: string; id: string; agent_session_id: string | null; state: string };
  agent_sessions: { account_id: string; id: string; status: string | null; team: string | null; reason: string | null; agent_id: string | null; closed_at: string | null; closed_by: string | null };
}

const BATCH = 500;
const COLUMNS = ['status', 'team', 'reason', 'agent_id', 'taken_at', 'taken_by', 'first_reply_at', 'closed_at', 'closed_by'] as const;

// Never edit a migration that has shipped: add the next one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Each agent session's milestones (handed over, first taken, first answered, closed) as columns,
  // so the web chat's queue position and the inbox report are indexed reads, not scans of events.
  for (const c of COLUMNS) await db.schema.alterTable('agent_sessions').addColumn(c, 'text').execute();
  // The queue: sessions of one status in the order they were handed over.
  await db.schema.createIndex('agent_sessions_status_idx').on('agent_sessions').columns(['account_id', 'status', 'opened_at']).execute();
  // The report's periods and the typical wait's latest takes.
  await db.schema.createIndex('agent_sessions_opened_idx').on('agent_sessions').columns(['account_id', 'opened_at']).execute();
  await db.schema.createIndex('agent_sessions_taken_idx').on('agent_sessions').columns(['account_id', 'taken_at']).execute();
  await db.schema.createIndex('agent_sessions_closed_idx').on('agent_sessions').columns(['account_id', 'closed_at']).execute();

  // Each conversation's current session gets where it stands now, so a conversation queued before
  // the upgrade keeps its place. When earlier sessions were taken or answered is not known: they
  // stay out of the figures rather than count with invented times.
  const d = db as unknown as Kysely<Backfill>;
  let after: { account_id: string; id: string } | null = null;
  for (;;) {
    let q = d.selectFrom('conversations').select(['account_id', 'id', 'agent_session_id', 'state']).where('agent_session_id', 'is not', null);
    if (after) {
      const a = after;
      q = q.where((eb) => eb.or([eb('account_id', '>', a.account_id), eb.and([eb('account_id', '=', a.account_id), eb('id', '>', a.id)])]));
    }
    const batch = await q.orderBy('account_id').orderBy('id').limit(BATCH).execute();
    for (const row of batch) {
      const s = (JSON.parse(row.state) as { agentSession?: { id: string; status: string; team: string | null; reason: string; agentId: string | null; closedAt: string | null } | null }).agentSession;
      if (!s || s.id !== row.agent_session_id) continue;
      await d.updateTable('agent_sessions')
        .set({ status: s.status, team: s.team, reason: s.reason, agent_id: s.agentId, closed_at: s.closedAt, closed_by: s.closedAt ? s.agentId : null })
        .where('account_id', '=', row.account_id).where('id', '=', s.id).execute();
    }
    if (batch.length < BATCH) break;
    const last = batch[batch.length - 1]!;
    after = { account_id: last.account_id, id: last.id };
  }
}

export async function down(): Promise<void> {
  throw new Error('Baton migrations are forward-only.');
}
