import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { BatonError, isBatonError } from '../../core/errors.js';
import type { Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import { resolveToken } from '../../edge-kit/credential-resolver.js';
import { MoBody, moContent, moVisitor } from './cm-mo-inbound.js';

interface Deps {
  router: Router;
  queries: Queries;
}

const errors = { 400: Type.Ref('Error'), 401: Type.Ref('Error'), 404: Type.Ref('Error'), 409: Type.Ref('Error') };

/**
 * A `cm` channel's MO webhook: CM's gateway posts every customer message here. The customer is
 * `from.number`, the business `to.number` (the channel's address when absent), and `reference` is
 * the channel's message id, so a retried MO is taken once. With `credentials.inboundToken` set, the
 * URL must carry it as `?token=`.
 */
export async function cmChannelRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post('/:accountId/:channelId/mo', {
    schema: {
      tags: ['cm'],
      summary: 'A cm channel\'s MO webhook: customer messages from CM\'s gateway',
      params: Type.Object({ accountId: Type.String(), channelId: Type.String() }),
      querystring: Type.Object({ token: Type.Optional(Type.String()) }),
      body: MoBody,
      response: errors,
      security: [],
    },
  }, async (req) => {
    const { accountId, channelId } = req.params;
    const channel = await deps.queries.channel(accountId, channelId).catch((err: unknown) => {
      if (isBatonError(err) && err.code === 'channel_not_found') return null;
      throw err;
    });
    if (!channel || channel.kind !== 'cm') throw new BatonError('channel_not_found', `No cm channel ${channelId} in account ${accountId}; the MO webhook address is listed by \`baton doctor\` and GET /v1/channels.`);
    const owner = channel.credentials.inboundToken ? await resolveToken(deps.queries, 'channel_token', req.query.token, { accountId }) : null;
    if (channel.credentials.inboundToken && !(owner?.ownerKind === 'channel' && owner.ownerId === channelId)) {
      throw new BatonError('unauthorized', `Channel ${channelId} takes MOs only with ?token=<its credentials.inboundToken> in the webhook URL.`);
    }
    const mo = req.body;
    const business = mo.to?.number || undefined;
    const outcome = await deps.router.receive({
      accountId,
      channelId,
      customer: mo.from.number,
      ...(business ? { business } : {}),
      ...(mo.reference ? { channelMessageId: mo.reference } : {}),
      content: moContent(mo),
      visitor: moVisitor(mo),
    }, undefined, req.actor);
    return { status: 'accepted', chatId: outcome.conversation.id, reference: mo.reference ?? outcome.message?.id ?? null, duplicate: outcome.duplicate ?? false };
  });
}
