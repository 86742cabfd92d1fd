import Type from 'typebox';
import type { DialectModule } from '../../edge-kit/dialect-module.js';
import { bmProxyErrors } from './bm-response.js';
import { cmBmProxyRoutes } from './cm-bmproxy-routes.js';
import { cmChannelRenderer } from './cm-channel-renderer.js';
import { cmChannelRoutes } from './cm-channel-routes.js';
import { cmControlRoutes } from './cm-control-routes.js';
import { CM_PREFIX, cmChannelInboundPath, cmComponentInboundPath } from './cm-paths.js';
import { cmRenderer } from './cm-renderer.js';

const ProductToken = Type.String({ description: 'CM product token: names the component on the BMProxy and the control API (X-CM-ProductToken)' });

/**
 * CM.com's Bot Router (seed 002), under `/conversational`: the BMProxy (answers in CM's own shape,
 * errors included), the control API, and the MO webhooks of `cm` channels. Each part is its own
 * scope: their body parsers and error shapes differ and must not leak into each other.
 */
export const cmDialect: DialectModule = {
  name: 'cm',
  componentDialect: 'cm',
  channelKind: 'cm',
  routes: [
    { prefix: `${CM_PREFIX}/bmproxy/v1`, throttled: true, errors: bmProxyErrors, register: (scope, deps) => cmBmProxyRoutes(scope, deps) },
    { prefix: `${CM_PREFIX}/control/v1`, throttled: true, register: (scope, deps) => cmControlRoutes(scope, deps) },
    { prefix: `${CM_PREFIX}/channels`, throttled: true, register: (scope, deps) => cmChannelRoutes(scope, deps) },
  ],
  renderers: () => ({ component: cmRenderer, channel: cmChannelRenderer }),
  inboundPath: { component: cmComponentInboundPath, channel: cmChannelInboundPath },
  credentials: { kinds: ['product_token', 'channel_token'], headers: ['x-cm-producttoken'], componentSecrets: { productToken: 'product_token' }, channelSecrets: { inboundToken: 'channel_token' } },
  settings: {
    secrets: Type.Object({ productToken: Type.Optional(ProductToken) }, { additionalProperties: false }),
    credentials: Type.Object({
      productToken: Type.Optional(Type.String({ description: 'sent with every message the channel sends through CM' })),
      inboundToken: Type.Optional(Type.String({ description: 'when set, MOs are taken only with ?token=<it>' })),
    }, { additionalProperties: false }),
  },
};
