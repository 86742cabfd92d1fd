import type { FastifyInstance } from 'fastify';
import { BatonError } from '../../core/errors.js';
import type { Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import { resolveToken } from '../../edge-kit/credential-resolver.js';
import { ccspConversationId } from './imi-ccsp-id.js';
import { parseImiInbound } from './imi-inbound.js';

export function imiInboundPath(token: string): string {
  return `/imi/webhook/${token}`;
}

/**
 * The webhook URL generated for each IMI integration: the bot posts its replies and events
 * (1001 handover, 1002 close) here. The token in the path names the integration.
 */
export async function imiRoutes(app: FastifyInstance, deps: { router: Router; queries: Queries }): Promise<void> {
  const { router, queries } = deps;
  app.post<{ Params: { token: string } }>('/webhook/:token', {
    schema: {
      tags: ['imi'],
      summary: 'IMIconnect / Webex Connect bot: replies and events',
      description: 'Body: `{Conversationid, Message, MessageType, Media?}` for a reply; `{eventid: "1001", conversation_id, message, customparam...}` hands over; `{eventid: "1002", conversation_id}` closes the bot conversation.',
      params: { type: 'object', properties: { token: { type: 'string', maxLength: 200 } }, required: ['token'] },
    },
  }, async (req) => {
    const owner = await resolveToken(queries, 'webhook_token', req.params.token);
    const component = owner?.ownerKind === 'component' ? await queries.findComponent(owner.accountId, owner.ownerId) : null;
    if (!owner || !component || component.dialect !== 'imi') throw new BatonError('not_found', 'No IMI integration has this webhook URL; copy it again from `baton doctor` or GET /v1/components.');
    const intent = parseImiInbound(req.body);
    const conv = await queries.conversationByBotSession(owner.accountId, intent.conversationId);
    if (intent.kind === 'reply') {
      const out = await router.reply(owner.accountId, conv.id, { componentId: component.id, authorKind: 'bot', content: intent.content, botSessionId: intent.conversationId }, undefined, req.actor);
      return { status: 'accepted', Conversationid: intent.conversationId, Messageid: out.message?.id };
    }
    if (intent.kind === 'handover') {
      const out = await router.command(owner.accountId, conv.id, { type: 'handover', by: component.id, botSessionId: intent.conversationId, ...(intent.note ? { note: intent.note } : {}), context: intent.context }, undefined, { actor: req.actor });
      const rejected = out.events.find((e) => e.type === 'handover.rejected');
      if (rejected) return { status: 'rejected', reason: rejected.data.reason };
      // A new CCSP conversation id per handover, never one an agent already closed (imi-ccsp-id.ts).
      const handover = out.events.find((e) => e.type === 'handover');
      const agentSessionId = handover?.data.agentSessionId;
      return { status: 'accepted', Conversationid: intent.conversationId, CCSPConversationid: handover && typeof agentSessionId === 'string' ? ccspConversationId(agentSessionId, handover.seq) : undefined };
    }
    await router.command(owner.accountId, conv.id, { type: 'close_bot_session', by: component.id, botSessionId: intent.conversationId }, undefined, { actor: req.actor });
    return { status: 'accepted', Conversationid: intent.conversationId };
  });
}
