import type { FastifyInstance } from 'fastify';
import { type AgentSession, currentThread, type WorkItem } from '../../core/conversation.js';
import { BatonError } from '../../core/errors.js';
import type { ConversationView, Queries } from '../../core/queries.js';
import { canRead, type EngageUser, requireRead } from './engage-auth.js';
import { requiredParam } from './engage-params.js';
import { agentSessionResource, workItemResource } from './engage-resources.js';
import { type EngageDeps, engageCall, readableContent } from './engage-call.js';
import { interventionThread } from './engage-thread-log.js';

/**
 * An intervention id names either an intervention a user opened through the API (a work item)
 * or the humans' intervention (an agent session). Earlier ones of a thread are known by id only.
 */
type Found =
  | { kind: 'work'; conv: ConversationView; item: WorkItem | null }
  | { kind: 'agent'; conv: ConversationView; session: AgentSession | null };

async function findIntervention(queries: Queries, user: EngageUser, id: string): Promise<Found> {
  const byWork = await queries.conversationByWorkItem(user.accountId, id);
  if (byWork) return { kind: 'work', conv: byWork, item: byWork.workItem?.id === id ? byWork.workItem : null };
  const byAgents = await queries.conversationByAgentSession(user.accountId, id);
  if (byAgents) return { kind: 'agent', conv: byAgents, session: byAgents.agentSession?.id === id ? byAgents.agentSession : null };
  throw new BatonError('not_found', `No intervention ${id} in this domain.`);
}

/** An intervention in the thread it was opened in. */
async function render(queries: Queries, user: EngageUser, found: Found, id: string): Promise<Record<string, unknown>> {
  const openedAt = (found.kind === 'work' ? found.item?.openedAt : found.session?.openedAt) ?? null;
  const thread = (await interventionThread(queries, user.accountId, found.conv, id, openedAt)).id;
  if (found.kind === 'work') return found.item ? workItemResource(found.conv, found.item, thread) : agentSessionResource(found.conv, id, null, thread);
  return agentSessionResource(found.conv, id, found.session, thread);
}

export async function interventionRoutes(app: FastifyInstance, deps: EngageDeps): Promise<void> {
  const { router, queries } = deps;
  const tags = ['engage'];

  app.post('/interventions', { schema: { tags, summary: 'Open an intervention on a customer content (content_id), for statistics' } }, async (req) => {
    const { user, params } = await engageCall(req, queries);
    const { message, conv } = await readableContent(queries, user, requiredParam(params, 'content_id'));
    if (message.author.kind !== 'customer') throw new BatonError('invalid_transition', `Content ${message.id} is not a customer's: interventions are opened on what customers write.`);
    const out = await router.command(user.accountId, conv.id, { type: 'open_work_item', owner: { kind: 'component', id: user.id }, messageId: message.id }, undefined, { actor: req.actor });
    return workItemResource(out.conversation, out.conversation.workItem!, currentThread(out.conversation).id);
  });

  app.get<{ Params: { id: string } }>('/interventions/:id', { schema: { tags, summary: 'An intervention' } }, async (req) => {
    const { user } = await engageCall(req, queries);
    const found = await findIntervention(queries, user, req.params.id);
    requireRead(user, found.conv.channelId);
    return render(queries, user, found, req.params.id);
  });

  app.put<{ Params: { id: string } }>('/interventions/:id/close', { schema: { tags, summary: 'Close an intervention (403 unless open, answered, and the caller\'s)' } }, async (req) => {
    const { user } = await engageCall(req, queries);
    const id = req.params.id;
    const found = await findIntervention(queries, user, id);
    // Seed 003's close conditions (403 unless open, answered, the caller's, on a readable source) hold in the core.
    const guard = { userId: user.id, admin: user.admin, canRead: canRead(user, found.conv.channelId) };
    await router.command(user.accountId, found.conv.id, found.kind === 'work' ? { type: 'close_work_item', workItemId: id, by: user.id, guard } : { type: 'close_agent_session', agentSessionId: id, guard }, undefined, { actor: req.actor });
    return render(queries, user, await findIntervention(queries, user, id), id);
  });
}
