import Type from 'typebox';
import type { DialectModule } from '../../edge-kit/dialect-module.js';
import { bearerAuth } from '../../edge-kit/bearer-auth.js';
import { channelActivationRoutes } from './channel-activation-routes.js';
import { channelEmergencyRoutes } from './channel-emergency-routes.js';
import { deliveryRoutes } from './delivery-routes.js';
import { nativeRenderer } from './renderer.js';
import { nativeRoutes } from './routes.js';

/** Standard Webhooks secrets are base64 (after an optional `whsec_`) of at least 16 bytes. */
function badWebhookSecret(secret: string): boolean {
  const b64 = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  return !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0 || Buffer.from(b64, 'base64').length < 16;
}

const WebhookSecret = Type.String({ description: 'Standard Webhooks secret (whsec_ + base64 of at least 16 bytes) that signs every webhook' });

/** Baton's own REST API under /v1 and its Standard Webhooks: the documented, clean dialect. */
export const nativeDialect: DialectModule = {
  name: 'native',
  componentDialect: 'native',
  channelKind: 'native',
  routes: [{
    prefix: '/v1',
    throttled: true,
    async register(scope, deps) {
      scope.addHook('onRequest', bearerAuth({ accountIdForKey: (hash) => deps.queries.accountIdForApiKey(hash) }));
      await nativeRoutes(scope, { router: deps.router, queries: deps.queries, customerData: deps.customerData, addresses: deps.addresses });
      await deliveryRoutes(scope, { admin: deps.deliveries, queries: deps.queries });
      await channelActivationRoutes(scope, { router: deps.router, queries: deps.queries, checker: deps.reachability, inboundPath: deps.addresses.channel });
      await channelEmergencyRoutes(scope, { router: deps.router });
    },
  }],
  renderers: () => ({ component: nativeRenderer, channel: nativeRenderer }),
  inboundPath: { channel: (c) => `/v1/channels/${c.id}/messages` },
  credentials: { kinds: ['api_key'], headers: ['authorization'] },
  settings: {
    secrets: Type.Object({ webhookSecret: Type.Optional(WebhookSecret), webhookSecretPrevious: Type.Optional(WebhookSecret) }, { additionalProperties: false }),
    // Native webhooks are signed per Standard Webhooks; other dialects use a secret their own way (Engage: X-Dimelo-Secret).
    componentProblems: (c) => (['webhookSecret', 'webhookSecretPrevious'] as const)
      .filter((k) => c.secrets?.[k] !== undefined && badWebhookSecret(c.secrets[k]!))
      .map((k) => `secrets.${k}: not a Standard Webhooks secret (whsec_ followed by base64 of at least 16 bytes; \`openssl rand -base64 24\` makes one)`),
    componentWarning: (c) => (c.url && !c.secrets.webhookSecret ? 'its webhooks go out unsigned; give it secrets.webhookSecret (whsec_...) and verify the webhook-signature header' : null),
  },
};
