import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Router } from '../../core/router.js';
import { ChannelParams } from './schemas.js';

const errors = { 400: Type.Ref('Error'), 401: Type.Ref('Error'), 404: Type.Ref('Error') };
const EmergencyBody = Type.Object({ on: Type.Boolean({ description: 'true: new threads on the channel go to the humans; false: back to the rule\'s routing.' }) }, { additionalProperties: false });

/**
 * A channel's emergency switch (seed 003, "Deactivate Bot connected sources default
 * categorization"): while on, every new thread on the channel starts with the humans and the
 * account's agent category instead of the bot. Existing threads keep their routing; the
 * account-wide `POST /v1/emergency` moves those. `baton emergency on|off --account A --source C`
 * does the same from the command line.
 */
export async function channelEmergencyRoutes(app: FastifyInstance, deps: { router: Router }): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/channels/:channelId/emergency', {
    schema: { tags: ['admin'], summary: 'A channel\'s emergency switch: new threads on it go to the humans', params: ChannelParams, body: EmergencyBody, response: errors },
  }, async (req) => {
    const channel = await deps.router.setChannelEmergency(req.accountId, req.params.channelId, req.body.on, req.actor);
    return { channelId: channel.id, emergency: channel.emergency === true };
  });
}
