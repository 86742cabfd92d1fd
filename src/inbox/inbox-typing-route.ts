import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { BatonError } from '../core/errors.js';
import type { Queries } from '../core/queries.js';
import type { LiveBus } from '../live/live-bus.js';
import { TYPING_TOPIC, TypingThrottle } from '../live/typing.js';
import { inboxScope } from './inbox-scope.js';
import type { LoginSession } from './login-sessions.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/**
 * `POST /inbox/api/conversations/:id/typing`: the agent is writing a reply, and the visitor of a
 * web chat sees "<agent> is typing…". Only through the live bus (live/typing.ts), never stored;
 * the reply box calls it, a private note never does. Signals closer together than the throttle
 * are taken and dropped, so a page that sends too often is not told off for it.
 */
export async function inboxTypingRoute(app: FastifyInstance, deps: { queries: Queries; live: LiveBus }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const throttle = new TypingThrottle<string>();
  api.post('/conversations/:id/typing', { schema: { hide: true, params: Params } }, async (req, reply) => {
    const login: LoginSession = req.login!;
    const conv = await deps.queries.conversation(login.accountId, req.params.id);
    (await inboxScope(deps.queries, login)).requireReadable(conv);
    if (conv.status !== 'open') throw new BatonError('invalid_transition', 'This conversation is closed: nobody reads your typing.');
    if (throttle.allows(`${login.accountId}\n${login.agentId}\n${conv.id}`)) {
      const agent = await deps.queries.agent(login.accountId, login.agentId);
      await deps.live.publish({ accountId: login.accountId, topic: TYPING_TOPIC, conversationId: conv.id, from: 'agent', name: agent.name });
    }
    return reply.status(204).send();
  });
}
