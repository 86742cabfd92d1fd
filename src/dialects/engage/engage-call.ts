import type { FastifyRequest } from 'fastify';
import type { Message } from '../../core/model.js';
import type { ConversationView, Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import { authenticate, type EngageUser, requireRead } from './engage-auth.js';
import { type EngageParams, engageParams } from './engage-params.js';

export interface EngageDeps {
  router: Router;
  queries: Queries;
}

/** What every handler starts from: the caller and its parameters. */
export interface EngageCall {
  user: EngageUser;
  params: EngageParams;
}

export async function engageCall(req: FastifyRequest, queries: Queries): Promise<EngageCall> {
  const params = engageParams(req);
  return { user: await authenticate(req, params, queries), params };
}

/** A content of the caller's account, with its thread, on a source the caller can read. */
export async function readableContent(queries: Queries, user: EngageUser, id: string): Promise<{ message: Message; conv: ConversationView }> {
  const message = await queries.message(user.accountId, id);
  const conv = await queries.conversation(user.accountId, message.conversationId);
  requireRead(user, conv.channelId);
  return { message, conv };
}
