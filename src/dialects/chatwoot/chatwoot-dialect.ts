import Type from 'typebox';
import type { DialectModule } from '../../edge-kit/dialect-module.js';
import { chatwootErrors } from './chatwoot-errors.js';
import { chatwootIds } from './chatwoot-ids.js';
import { chatwootRenderer } from './chatwoot-renderer.js';
import { chatwootRoutes } from './chatwoot-routes.js';

/**
 * Chatwoot's Agent Bot API: Baton plays Chatwoot. The bot receives Chatwoot's agent-bot webhooks
 * at its `url` (outgoing_url) and calls Chatwoot's application API under /api/v1 with its token.
 */
export const chatwootDialect: DialectModule = {
  name: 'chatwoot',
  componentDialect: 'chatwoot',
  routes: [{ prefix: '/api/v1', throttled: true, errors: chatwootErrors, register: (scope, deps) => chatwootRoutes(scope, deps) }],
  renderers: () => ({ component: chatwootRenderer }),
  // Chatwoot sends its agent bots webwidget_triggered (widget.opened) unasked, so Baton does too.
  defaultEvents: Object.freeze(['*']),
  inboundPath: { component: (c) => `/api/v1/accounts/${chatwootIds.account(c.accountId)}/conversations/{id}/messages` },
  credentials: { kinds: ['access_token'], headers: ['api_access_token'], queryParams: ['api_access_token'], componentSecrets: { accessToken: 'access_token' } },
  settings: {
    secrets: Type.Object({
      accessToken: Type.Optional(Type.String({ description: 'the agent bot\'s access token, sent as the api_access_token header' })),
      webhookSecret: Type.Optional(Type.String({ description: 'the agent bot\'s secret: signs webhooks as X-Chatwoot-Signature' })),
    }, { additionalProperties: false }),
    componentWarning: (c) => (c.url && !c.secrets.webhookSecret ? 'its webhooks go out unsigned; give it secrets.webhookSecret and verify the X-Chatwoot-Signature header' : null),
  },
  doctor: { component: (c) => `Chatwoot account_id ${chatwootIds.account(c.accountId)}: the bot's base URL is Baton's, its api_access_token secrets.accessToken` },
};
