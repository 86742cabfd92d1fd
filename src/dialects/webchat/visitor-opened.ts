import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Clock } from '../../core/clock.js';
import type { Channel } from '../../core/model.js';
import type { Router } from '../../core/router.js';
import { browserOf, firstLanguage } from './visitor-browser.js';

/** One open a visitor per window is told on: a page reopening the widget again and again is not a flood of webhooks. */
const WINDOW_MS = 30_000;

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Params = Type.Object({ accountId: Id, channelId: Id });
const Body = Type.Object({
  referer: Type.Optional(Type.String({ maxLength: 2048, description: 'the page the widget is on' })),
  language: Type.Optional(Type.String({ pattern: '^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$', maxLength: 35, description: 'the widget\'s language' })),
}, { additionalProperties: false });

export interface OpenedDeps {
  router: Router;
  clock: Clock;
  channelOf(accountId: string, channelId: string): Promise<Channel>;
  /** The visitor's own conversation on this channel, from their token. */
  conversationOf(channel: Channel, token: unknown): string;
}

/**
 * The visitor opened the widget (Chatwoot's webwidget_triggered). The core records it only in a
 * chat the visitor already has; a first-time visitor's open records nothing, since a conversation
 * begins at its first message. Answered 204 either way: the page has nothing to do with the answer.
 */
export async function visitorOpened(app: FastifyInstance, deps: OpenedDeps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post('/:accountId/:channelId/opened', {
    schema: { tags: ['webchat'], summary: 'The visitor opened the chat widget (told to bots that ask for widget.opened)', params: Params, body: Body },
  }, async (req, reply) => {
    const channel = await deps.channelOf(req.params.accountId, req.params.channelId);
    const conversationId = deps.conversationOf(channel, req.headers['x-visitor-token']);
    const window = Math.floor(deps.clock.now().getTime() / WINDOW_MS);
    const key = `webchat-opened:${conversationId}:${window}`;
    await deps.router.widgetOpened(channel.accountId, conversationId, {
      referer: req.body.referer ?? null,
      widgetLanguage: req.body.language ?? null,
      browserLanguage: firstLanguage(req.headers['accept-language']),
      browser: browserOf(req.headers['user-agent']),
    }, { key, fingerprint: key }, req.actor);
    return reply.status(204).send();
  });
}
