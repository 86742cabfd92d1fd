import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ConversationView, Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import { strictJsonParser } from '../../edge-kit/json-body.js';
import { authenticate, type SuncoCaller } from './sunco-auth.js';
import { messagePost } from './sunco-body.js';
import { conversationResource, messageResource } from './sunco-resources.js';
import { switchboardRoutes } from './sunco-switchboard-routes.js';

export interface SuncoDeps {
  router: Router;
  queries: Queries;
}

export type ConversationParams = { Params: { appId: string; conversationId: string } };

/** The caller and the conversation a route under `/apps/{appId}/conversations/{conversationId}` acts on. */
export async function suncoCall(req: FastifyRequest<ConversationParams>, queries: Queries): Promise<{ caller: SuncoCaller; conv: ConversationView }> {
  const caller = await authenticate(req, req.params.appId, queries);
  return { caller, conv: await queries.conversation(caller.accountId, req.params.conversationId) };
}

const PAGE_LIMIT = 100;

/**
 * Sunshine Conversations v2 under /v2, for one app per account (the app id is the account id):
 * conversations, messages and the switchboard actions, as its OpenAPI document describes them.
 * Each route authenticates, calls one core command or query, renders.
 */
export async function suncoRoutes(app: FastifyInstance, deps: SuncoDeps): Promise<void> {
  const { router, queries } = deps;
  // JSON only (anything else is 415); releaseControl and acceptControl may come without a body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(app, { empty: () => undefined }));
  const tags = ['sunco'];
  const base = '/apps/:appId/conversations/:conversationId';

  app.get<ConversationParams>(base, { schema: { tags, summary: 'A conversation, with its active and pending switchboard integrations' } }, async (req) => {
    const { conv } = await suncoCall(req, queries);
    return { conversation: conversationResource(conv) };
  });

  app.get<ConversationParams>(`${base}/messages`, { schema: { tags, summary: 'The conversation\'s messages, oldest first (the latest 100)' } }, async (req) => {
    const { caller, conv } = await suncoCall(req, queries);
    // The store reads oldest first; a conversation holds at most 30,000 messages in the document.
    const all = await queries.messages(caller.accountId, conv.id, 30_000);
    const page = all.slice(-PAGE_LIMIT);
    return { messages: page.map((m) => messageResource(conv, m)), meta: { hasMore: all.length > page.length }, links: {} };
  });

  app.post<ConversationParams>(`${base}/messages`, { schema: { tags, summary: 'Post a message as the business (author.type business): refused unless the caller holds the conversation' } }, async (req, reply) => {
    const { caller, conv } = await suncoCall(req, queries);
    const content = messagePost(req.body);
    const c = caller.component;
    const out = await router.reply(caller.accountId, conv.id, { componentId: c.id, authorKind: c.kind === 'desk' ? 'agent' : 'bot', content }, undefined, req.actor);
    return reply.status(201).send({ messages: [messageResource(conv, out.message!)] });
  });

  await switchboardRoutes(app, deps);
}
