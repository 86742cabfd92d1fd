import Type from 'typebox';
import type { DialectModule } from '../../edge-kit/dialect-module.js';
import { omnichannelErrors } from './omnichannel-errors.js';
import { omnichannelInboundPath } from './omnichannel-paths.js';
import { omnichannelRenderer } from './omnichannel-renderer.js';
import { omnichannelRoutes } from './omnichannel-routes.js';

/** GMS "Omnichannel" universal channels (seed 004): a client server posts visitors' messages, Baton answers at its /send_message. */
export const omnichannelDialect: DialectModule = {
  name: 'omnichannel',
  channelKind: 'omnichannel',
  routes: [{ prefix: '/connector/omnichannel', throttled: true, errors: omnichannelErrors, register: (scope, deps) => omnichannelRoutes(scope, deps) }],
  renderers: () => ({ channel: omnichannelRenderer }),
  inboundPath: { channel: (c) => (c.credentials.inboundToken ? omnichannelInboundPath(c.credentials.inboundToken) : null) },
  credentials: { kinds: ['channel_token'], pathToken: /^\/connector\/omnichannel\/omnichannel_message\/([^/?]+)/, tokenInChannelAddress: true },
  settings: {
    credentials: Type.Object({
      inboundToken: Type.Optional(Type.String({ description: 'the token in the channel\'s webhook URL; made up when absent' })),
      webhookToken: Type.Optional(Type.String({ description: 'sent to the client server as Authorization: Token <it>' })),
    }, { additionalProperties: false }),
    // Every answer to an Omnichannel visitor goes to {outboundUrl}/send_message; without it nothing could.
    channelProblems: (c) => (c.outboundUrl ? [] : ['outboundUrl: an omnichannel channel needs the client server\'s URL (answers go to {outboundUrl}/send_message)']),
  },
};
