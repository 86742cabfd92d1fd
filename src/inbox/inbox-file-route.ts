import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Files } from '../core/files.js';
import type { Agent } from '../core/model.js';
import type { ConversationView, Queries } from '../core/queries.js';
import type { Router } from '../core/router.js';
import { fileMedia, originOf, rawFileBodies, uploadAnswer, uploadedName } from '../edge-kit/file-body.js';
import type { LiveBus } from '../live/live-bus.js';
import { inboxScope } from './inbox-scope.js';
import type { LoginSession } from './login-sessions.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export interface InboxFileDeps {
  router: Router;
  queries: Queries;
  live: LiveBus;
  files: Files;
  /** The desk the agent answers as in this conversation (inbox-routes.ts). */
  deskOf(accountId: string, conv: ConversationView): Promise<string>;
  /** The conversation's card, as the other inbox actions answer. */
  card(conv: ConversationView, agents: readonly Agent[]): Promise<unknown>;
}

/**
 * `POST /inbox/api/conversations/{id}/files`: the agent's file, sent to the customer as a reply
 * (a media message with Baton's download URL) in the same call, under the same rules as a text
 * reply (session, CSRF token, who may answer). The body is the file itself; the name comes in
 * `x-file-name`. A refused reply leaves no file behind.
 */
export async function inboxFileRoute(app: FastifyInstance, deps: InboxFileDeps): Promise<void> {
  const { router, queries, live, files } = deps;
  const me = (req: FastifyRequest): LoginSession => req.login!;
  await app.register(async (scope) => {
    rawFileBodies(scope, (req) => files.limitOf(me(req).accountId));
    scope.withTypeProvider<TypeBoxTypeProvider>().post('/conversations/:id/files', { schema: { hide: true, params: Params } }, async (req) => {
      const login = me(req);
      const conv = await queries.conversation(login.accountId, req.params.id);
      (await inboxScope(queries, login)).requireReadable(conv);
      const desk = await deps.deskOf(login.accountId, conv);
      const file = await files.put({ accountId: login.accountId, conversationId: conv.id, uploader: { kind: 'agent', id: login.agentId }, name: uploadedName(req), declaredType: req.headers['content-type'], bytes: req.body as Buffer });
      const origin = originOf(req);
      try {
        await router.reply(login.accountId, conv.id, { componentId: desk, authorKind: 'agent', agentId: login.agentId, content: { type: 'media', media: fileMedia(file, origin) } }, undefined, req.actor);
      } catch (err) {
        await files.remove(login.accountId, file.id);
        throw err;
      }
      await live.publish({ accountId: login.accountId, topic: 'conversation', conversationId: conv.id, type: 'message.sent' });
      const after = await queries.conversation(login.accountId, conv.id);
      return { ...uploadAnswer(file, origin), conversation: await deps.card(after, await queries.agents(login.accountId)) };
    });
  });
}
