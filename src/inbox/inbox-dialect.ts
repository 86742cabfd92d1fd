import type { DialectModule } from '../edge-kit/dialect-module.js';
import { inboxRenderer } from './inbox-renderer.js';

/**
 * The built-in desk, as a dialect: its components (`dialect: inbox`) are reached through the live
 * bus. Its routes are not a protocol but Baton's own application (logins, sessions, admin pages),
 * served with the pages by http/browser-routes.ts, which holds the login sessions and throttle.
 */
export const inboxDialect: DialectModule = {
  name: 'inbox',
  componentDialect: 'inbox',
  routes: [],
  renderers: ({ live }) => ({ component: inboxRenderer(live) }),
  credentials: { kinds: ['session'] },
};
