import Type from 'typebox';
import type { RetryPolicy } from '../../core/model.js';
import type { DialectModule } from '../../edge-kit/dialect-module.js';
import { suncoErrors } from './sunco-errors.js';
import { suncoRenderer } from './sunco-renderer.js';
import { suncoRoutes } from './sunco-routes.js';
import { STANDBY_EVENTS } from './sunco-standby.js';

const MINUTE = 60_000;

/**
 * "A webhook call will be attempted up to 5 times over a 15 minute window ... If no response is
 * received within 20 seconds, the call will be considered a failure" (the document's retry policy).
 */
const SUNCO_RETRY: RetryPolicy = Object.freeze({ schedule: [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE], timeoutMs: 20_000, breakAfter: 0, jitter: 0.1, onExhausted: 'skip' }) as RetryPolicy;

/**
 * Zendesk Sunshine Conversations v2, its switchboard above all (the public OpenAPI document):
 * Baton plays the API for one app per account, each `sunco` component is a switchboard
 * integration with its own API key, and its webhooks go out in the v2 payload shapes.
 */
export const suncoDialect: DialectModule = {
  name: 'sunco',
  componentDialect: 'sunco',
  routes: [{ prefix: '/v2', throttled: true, errors: suncoErrors, register: (scope, deps) => suncoRoutes(scope, deps) }],
  renderers: () => ({ component: suncoRenderer }),
  inboundPath: { component: (c) => `/v2/apps/${c.accountId}` },
  credentials: { kinds: ['access_token'], headers: ['authorization'], componentSecrets: { keySecret: 'access_token' } },
  retry: SUNCO_RETRY,
  settings: {
    secrets: Type.Object({
      keyId: Type.Optional(Type.String({ description: 'the API key\'s id (Basic user name, JWT kid)' })),
      keySecret: Type.Optional(Type.String({ description: 'the API key\'s secret (Basic password, JWT HS256 key)' })),
      webhookSecret: Type.Optional(Type.String({ description: 'sent as X-API-Key with every webhook' })),
    }, { additionalProperties: Type.String() }),
    options: Type.Object({
      deliverStandbyEvents: Type.Optional(Type.Union([Type.Boolean(), Type.Array(Type.String())], { description: 'messages and postbacks while on standby: true, false (default) or the event types wanted' })),
      next: Type.Optional(Type.String({ description: 'the component `next` names while this one is active; the other side when absent' })),
    }, { additionalProperties: true }),
    componentProblems: (c) => [
      ...(c.secrets?.keySecret && !c.secrets.keyId ? ['secrets.keyId: is required beside secrets.keySecret (the key id callers present)'] : []),
      ...(Array.isArray(c.options?.deliverStandbyEvents) ? c.options.deliverStandbyEvents : [])
        .filter((t) => !STANDBY_EVENTS.includes(String(t)))
        .map((t) => `options.deliverStandbyEvents: ${String(t)} is not an event a standby integration can be spared (${STANDBY_EVENTS.join(', ')}); switchboard events always reach it`),
    ],
    componentWarning: (c) => (c.url && !c.secrets.webhookSecret ? 'its webhooks carry no X-API-Key; give it secrets.webhookSecret' : null),
  },
};
