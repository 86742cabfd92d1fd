import type { DialectModule } from '../../edge-kit/dialect-module.js';
import { VisitorHub } from './visitor-hub.js';
import { webchatPagePath } from './webchat-paths.js';
import { webchatRenderer } from './webchat-renderer.js';
import { webchatRoutes } from './webchat-routes.js';

/** Baton's own web chat: the visitor's page calls /chat/api, answers reach it over the live bus. */
export const webchatDialect: DialectModule = {
  name: 'webchat',
  channelKind: 'webchat',
  realtimeChannels: true,
  routes: [{
    prefix: '/chat/api',
    // Visitors hold a token of their own choosing, not a credential Baton issued: nothing to throttle.
    throttled: false,
    browser: true,
    async register(scope, deps) {
      const { live, clock } = deps.browser!;
      const hub = new VisitorHub(live, deps.queries, scope.log);
      scope.addHook('onClose', async () => hub.close());
      await webchatRoutes(scope, { router: deps.router, queries: deps.queries, live, hub, clock, files: deps.files });
    },
  }],
  renderers: ({ live }) => ({ channel: webchatRenderer(live) }),
  inboundPath: { channel: webchatPagePath },
  credentials: { kinds: ['visitor_token'] },
  doctor: { channel: (c) => `chat page: ${webchatPagePath(c)}` },
};
