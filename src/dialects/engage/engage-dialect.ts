import Type from 'typebox';
import type { DialectModule } from '../../edge-kit/dialect-module.js';
import { engageErrors } from './engage-errors.js';
import { engageRenderer } from './engage-renderer.js';
import { engageRoutes } from './engage-routes.js';

/** RingCentral Engage Digital (seed 003): Baton plays the platform, its bot calls the REST API under /1.0. */
export const engageDialect: DialectModule = {
  name: 'engage',
  componentDialect: 'engage',
  routes: [{ prefix: '/1.0', throttled: true, errors: engageErrors, register: (scope, deps) => engageRoutes(scope, deps) }],
  renderers: () => ({ component: engageRenderer }),
  credentials: { kinds: ['access_token'], headers: ['authorization'], queryParams: ['access_token'], componentSecrets: { accessToken: 'access_token' } },
  settings: {
    secrets: Type.Object({
      accessToken: Type.Optional(Type.String({ description: 'the bot\'s API_ACCESS_TOKEN for /1.0 (access_token or Authorization: Bearer)' })),
      webhookSecret: Type.Optional(Type.String({ description: 'signs webhooks as X-Dimelo-Secret' })),
      verifyToken: Type.Optional(Type.String({ description: 'the hub.verify_token of the webhook verification' })),
    }, { additionalProperties: false }),
    options: Type.Object({
      admin: Type.Optional(Type.Boolean({ description: 'may act on every user\'s interventions' })),
      sources: Type.Optional(Type.Array(Type.String(), { description: 'the channels (sources) it may read; all when absent' })),
      resourceType: Type.Optional(Type.String({ description: 'the source type its webhooks name' })),
    }, { additionalProperties: false }),
  },
};
