import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Channel } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import type { ChannelCheck } from '../../delivery/ports.js';
import { ChannelParams } from './schemas.js';

const errors = { 400: Type.Ref('Error'), 401: Type.Ref('Error'), 404: Type.Ref('Error') };
const ActivationBody = Type.Object({ active: Type.Boolean({ description: 'true switches the channel on, false off.' }) }, { additionalProperties: false });

/** A channel as admins see it: no credentials, with the address its messages arrive at. */
export function channelView(channel: Channel, inboundUrl: string | null): Record<string, unknown> {
  const { credentials: _c, ...rest } = channel;
  return { ...rest, reachability: rest.reachability ?? null, inboundUrl };
}

/**
 * Switching a channel on and off at run time (seed 004: "Activate the channel by switching the
 * toggle"). Switching on checks that the channel's server answers; when it does not, the channel
 * is switched on all the same and the warning is answered and kept on the channel until a later
 * check finds the server (GET /v1/channels, `baton doctor`).
 */
export async function channelActivationRoutes(app: FastifyInstance, deps: { router: Router; queries: Queries; checker: ChannelCheck; inboundPath(c: Channel): string | null }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post('/channels/:channelId/activation', {
    schema: {
      tags: ['admin'],
      summary: 'Switch a channel on or off',
      description: 'A switched-off channel refuses customer messages (Omnichannel: 400 "There is no active channel for received event."). Switching on checks that the channel\'s server answers at its URL; `warnings` says when it does not ("Can\'t reach channel"), without refusing. The switch outlives restarts until the configuration\'s own `active` value changes.',
      params: ChannelParams,
      body: ActivationBody,
      response: errors,
    },
  }, async (req) => {
    await deps.router.setChannelActive(req.accountId, req.params.channelId, req.body.active, req.actor);
    // This process answers the channel's next request as switched off at once, not within a second.
    if (!req.body.active) deps.queries.forgetCredentials();
    const reachability = req.body.active ? await deps.checker.check(await deps.queries.channel(req.accountId, req.params.channelId)) : null;
    const channel = await deps.queries.channel(req.accountId, req.params.channelId);
    const base = `${req.protocol}://${req.host}`;
    const path = deps.inboundPath(channel);
    return { channel: channelView(channel, path ? base + path : null), warnings: reachability?.warning ? [reachability.warning] : [] };
  });
}
