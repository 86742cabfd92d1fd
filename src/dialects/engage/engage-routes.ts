import type { FastifyInstance } from 'fastify';
import { currentThread } from '../../core/conversation.js';
import type { ConversationView, Queries } from '../../core/queries.js';
import { BatonError } from '../../core/errors.js';
import { parseThreadId } from '../../core/ids.js';
import type { Message } from '../../core/model.js';
import { type EngageUser, requireRead } from './engage-auth.js';
import { type EngageDeps, engageCall, readableContent } from './engage-call.js';
import { contentBody } from './engage-content.js';
import { interventionRoutes } from './engage-intervention-routes.js';
import { acceptEngageBodies, type EngageParams, listParam, param, requiredParam } from './engage-params.js';
import { agentStatus, agentUser, categoryIds, categoryResource, componentUser, contentResource, page, threadResource, type ThreadState } from './engage-resources.js';
import { threadAt, threadLog } from './engage-thread-log.js';

async function renderContent(queries: Queries, user: EngageUser, conv: ConversationView, m: Message): Promise<Record<string, unknown>> {
  const answered = m.inReplyTo ? await queries.findMessage(user.accountId, m.inReplyTo) : null;
  const log = await threadLog(queries, user.accountId, conv);
  const record = log.contents.get(m.id);
  const threadId = record?.threadId ?? threadAt(log.threads, m.createdAt).id;
  return contentResource(conv, m, answered?.author.id ?? null, user.component.options, { threadId, categories: record?.categories ?? conv.categories });
}

/**
 * The thread a thread id names, on a source the caller can read: the conversation's current one,
 * or one of its earlier ones (over, and kept as the log tells). Thread ids are the conversation's
 * and its number (core/ids.ts threadId), so no look-up finds them.
 */
async function findThread(queries: Queries, user: EngageUser, id: string): Promise<{ conv: ConversationView; state: ThreadState }> {
  const { conversationId, number } = parseThreadId(id);
  const conv = await queries.conversation(user.accountId, conversationId);
  requireRead(user, conv.channelId);
  const now = currentThread(conv);
  if (number > now.number) throw new BatonError('not_found', `No thread ${id} in this domain.`);
  const [log, all] = await Promise.all([threadLog(queries, user.accountId, conv), queries.messages(user.accountId, conv.id, 100_000)]);
  const thread = number === now.number ? now : log.threads.find((t) => t.number === number);
  if (!thread) throw new BatonError('not_found', `No thread ${id} in this domain.`);
  const messages = all.filter((m) => (log.contents.get(m.id)?.threadId ?? threadAt(log.threads, m.createdAt).id) === thread.id);
  const current = thread.id === now.id;
  const firstWords = messages.find((m) => m.author.kind === 'customer');
  const title = current ? conv.title ?? null : firstWords ? contentBody(firstWords).slice(0, 100) || null : null;
  const categories = current ? conv.categories : messages.map((m) => log.contents.get(m.id)?.categories).filter((c) => c != null).at(-1) ?? conv.categories;
  return { conv, state: { thread, current, categories, messages, title } };
}

/** The current thread a call acts on; an earlier one is over and cannot change. */
async function currentThreadOf(queries: Queries, user: EngageUser, id: string): Promise<ConversationView> {
  const { conv, state } = await findThread(queries, user, id);
  if (!state.current) throw new BatonError('invalid_transition', `Thread ${id} is over: the customer's conversation went on in thread ${currentThread(conv).id}.`);
  return conv;
}

async function renderThread(queries: Queries, user: EngageUser, id: string): Promise<Record<string, unknown>> {
  const { conv, state } = await findThread(queries, user, id);
  return threadResource(conv, state);
}

function paging(params: EngageParams): { offset: number; limit: number } {
  const offset = Math.max(0, Number(param(params, 'offset') ?? 0) || 0);
  const limit = Math.min(150, Math.max(1, Number(param(params, 'limit') ?? 30) || 30));
  return { offset, limit };
}

/**
 * RingCentral Engage Digital's REST API under /1.0, as a bot integration calls it (seed 003):
 * the bot's token authenticates, parameters come as query, form or JSON, errors answer in
 * Engage's shape. Each route reads its parameters, calls one core command or query, renders.
 */
export async function engageRoutes(app: FastifyInstance, deps: EngageDeps): Promise<void> {
  const { router, queries } = deps;
  acceptEngageBodies(app);
  const tags = ['engage'];

  await interventionRoutes(app, deps);

  app.post('/contents', { schema: { tags, summary: 'Post a reply on the thread of `in_reply_to_id` (author_id, body, in_reply_to_id, private, source_id)' } }, async (req) => {
    const { user, params } = await engageCall(req, queries);
    const body = requiredParam(params, 'body');
    const author = param(params, 'author_id');
    if (author !== undefined && author !== user.id) throw new BatonError('forbidden', `author_id ${author} is not an identity of the token's user ${user.id}.`);
    const inReplyTo = param(params, 'in_reply_to_id');
    if (inReplyTo === undefined) {
      // "If you specify in_reply_to_id parameter, source will be determined from. Otherwise, this
      // parameter is mandatory." No Baton channel can initiate a discussion, so without a content
      // to answer there is nothing to post to.
      const source = requiredParam(params, 'source_id', 'This parameter is mandatory when in_reply_to_id is omitted.');
      const channel = await queries.channel(user.accountId, source);
      requireRead(user, channel.id);
      throw new BatonError('validation_failed', `in_reply_to_id: source ${channel.id} does not support initiating discussions, so this parameter is mandatory.`);
    }
    const { conv } = await readableContent(queries, user, inReplyTo);
    // Contents created through the API come back to their author as content.imported (seed 003).
    const out = await router.reply(user.accountId, conv.id, { componentId: user.id, authorKind: 'bot', content: { type: 'text', text: body }, inReplyTo, echoToAuthor: true }, undefined, req.actor);
    return renderContent(queries, user, await queries.conversation(user.accountId, conv.id), out.message!);
  });

  app.get<{ Params: { id: string } }>('/contents/:id', { schema: { tags, summary: 'A content' } }, async (req) => {
    const { user } = await engageCall(req, queries);
    const { message, conv } = await readableContent(queries, user, req.params.id);
    return renderContent(queries, user, conv, message);
  });

  app.get<{ Params: { id: string } }>('/content_threads/:id', { schema: { tags, summary: 'A thread: the current one of a conversation, or an earlier one (closed)' } }, async (req) => {
    const { user } = await engageCall(req, queries);
    return renderThread(queries, user, req.params.id);
  });

  app.put<{ Params: { id: string } }>('/content_threads/:id/update_categories', {
    schema: { tags, summary: 'Recategorise a thread (thread_category_ids[]): BOT -> AGENT hands over, AGENT -> BOT hands back' },
  }, async (req) => {
    const { user, params } = await engageCall(req, queries);
    const conv = await currentThreadOf(queries, user, req.params.id);
    const categories = listParam(params, 'thread_category_ids');
    if (categories === undefined) throw new BatonError('validation_failed', 'thread_category_ids[]: This parameter is mandatory.');
    await router.command(user.accountId, conv.id, { type: 'set_categories', by: user.id, categories }, undefined, { actor: req.actor });
    return renderThread(queries, user, req.params.id);
  });

  app.put<{ Params: { id: string } }>('/content_threads/:id/close', { schema: { tags, summary: 'Close a thread: the next customer message starts a new one instead of reopening' } }, async (req) => {
    const { user } = await engageCall(req, queries);
    const conv = await currentThreadOf(queries, user, req.params.id);
    await router.command(user.accountId, conv.id, { type: 'close', by: user.id }, undefined, { actor: req.actor });
    return renderThread(queries, user, req.params.id);
  });

  app.get('/status', { schema: { tags, summary: 'Connected agents and their status by source (from the inbox presence)' } }, async (req) => {
    const { user } = await engageCall(req, queries);
    const [agents, channels] = await Promise.all([queries.agents(user.accountId), queries.channels(user.accountId)]);
    return agents.filter((a) => a.presence !== 'offline').map((a) => agentStatus(a, channels));
  });

  app.get('/users', { schema: { tags, summary: 'Users: the inbox agents and the engage bot users (category_id, team_id, offset, limit)' } }, async (req) => {
    const { user, params } = await engageCall(req, queries);
    const category = param(params, 'category_id');
    const team = param(params, 'team_id');
    const [agents, components, channels] = await Promise.all([queries.agents(user.accountId), queries.components(user.accountId), queries.channels(user.accountId)]);
    const records = [
      ...agents.filter((a) => (!category || a.categories.includes(category)) && (!team || a.teams.includes(team))).map((a) => agentUser(a, channels)),
      ...(category || team ? [] : components.filter((c) => c.dialect === 'engage').map(componentUser)),
    ];
    const { offset, limit } = paging(params);
    return page(records, offset, limit);
  });

  app.get<{ Params: { id: string } }>('/users/:id', { schema: { tags, summary: 'A user (`me`: the token\'s user)' } }, async (req) => {
    const { user } = await engageCall(req, queries);
    const id = req.params.id === 'me' ? user.id : req.params.id;
    const component = await queries.findComponent(user.accountId, id);
    if (component?.dialect === 'engage') return componentUser(component);
    return agentUser(await queries.agent(user.accountId, id), await queries.channels(user.accountId));
  });

  app.get('/categories', { schema: { tags, summary: 'Categories: the account\'s BOT and AGENT categories and every other one in use' } }, async (req) => {
    const { user, params } = await engageCall(req, queries);
    const [account, channels, agents] = await Promise.all([queries.account(user.accountId), queries.channels(user.accountId), queries.agents(user.accountId)]);
    const { offset, limit } = paging(params);
    return page(categoryIds(account, channels, agents).map((id) => categoryResource(account, id)), offset, limit);
  });
}
