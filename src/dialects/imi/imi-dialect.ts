import Type from 'typebox';
import type { DialectModule } from '../../edge-kit/dialect-module.js';
import { withImiChannelNames } from './imi-channel-names.js';
import { imiComponentProblems } from './imi-config.js';
import { imiRenderer } from './imi-renderer.js';
import { IMI_POLICY } from './imi-retry.js';
import { imiInboundPath, imiRoutes } from './imi-routes.js';

/** IMIconnect / Webex Connect bots (seeds 000 and 001): events out, replies and 1001/1002 back on a webhook per integration. */
export const imiDialect: DialectModule = {
  name: 'imi',
  componentDialect: 'imi',
  routes: [{ prefix: '/imi', throttled: true, register: (scope, deps) => imiRoutes(scope, deps) }],
  renderers: () => ({ component: imiRenderer }),
  inboundPath: { component: (c) => (c.secrets.inboundToken ? imiInboundPath(c.secrets.inboundToken) : null) },
  credentials: { kinds: ['webhook_token'], pathToken: /^\/imi\/webhook\/([^/?]+)/ },
  settings: {
    secrets: Type.Object({
      verificationToken: Type.Optional(Type.String({ description: 'the generic bot\'s verification token: its answers must carry it' })),
      accessToken: Type.Optional(Type.String({ description: 'sent on every request to an IMI-bot integration' })),
      inboundToken: Type.Optional(Type.String({ description: 'the token in the bot\'s webhook URL (/imi/webhook/{token}); made up when absent' })),
    }, { additionalProperties: false }),
    options: Type.Object({
      kind: Type.Optional(Type.String({ description: 'imi-bot (IMI BOT) or generic (OTHERS, the default)' })),
      channelNames: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'the `Channel` IMI bots see, by channel id (channels[].imiChannel fills it)' })),
    }, { additionalProperties: false }),
    componentProblems: imiComponentProblems,
    componentOptions: withImiChannelNames,
  },
  retry: IMI_POLICY,
};
