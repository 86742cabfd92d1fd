import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { BatonError } from '../../core/errors.js';
import type { Files } from '../../core/files.js';
import { chatId, newId } from '../../core/ids.js';
import type { Channel } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import { fileMedia, originOf, rawFileBodies, uploadAnswer, uploadedName } from '../../edge-kit/file-body.js';
import type { LiveBus } from '../../live/live-bus.js';
import { visitorIdOf } from './visitor-identity.js';
import { visitorMessage } from './visitor-message.js';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Params = Type.Object({ accountId: Id, channelId: Id });
const MESSAGE_ID = /^[A-Za-z0-9_-]{8,64}$/;

export interface VisitorFilesDeps {
  router: Router;
  queries: Queries;
  live: LiveBus;
  files: Files;
  channelOf(accountId: string, channelId: string): Promise<Channel>;
  /** Whether anyone answers the chat now (a bot in front, or an agent online). */
  available(channel: Channel): Promise<boolean>;
}

/**
 * `POST /chat/api/{account}/{channel}/files`: the visitor sends a file, and the upload is the
 * message (a media message with Baton's download URL), so there is no second call that could
 * fail after the file is stored. The body is the file itself with its Content-Type; its name
 * comes in `x-file-name`, the page's message id in `x-message-id` (a retry with the same id is
 * answered with the first message and stores nothing). A refused upload or message leaves no file.
 */
export async function visitorFiles(app: FastifyInstance, deps: VisitorFilesDeps): Promise<void> {
  const { router, queries, live, files } = deps;
  await app.register(async (scope) => {
    rawFileBodies(scope, (req) => files.limitOf((req.params as { accountId: string }).accountId));
    scope.withTypeProvider<TypeBoxTypeProvider>().post('/:accountId/:channelId/files', { schema: { tags: ['webchat'], summary: 'A visitor\'s file (the raw bytes as the body), sent as a message', params: Params } }, async (req, reply) => {
      const channel = await deps.channelOf(req.params.accountId, req.params.channelId);
      const customer = visitorIdOf(req.headers['x-visitor-token']);
      const sent = req.headers['x-message-id'];
      if (sent !== undefined && (typeof sent !== 'string' || !MESSAGE_ID.test(sent))) throw new BatonError('validation_failed', 'x-message-id must be 8 to 64 characters of A-Z, a-z, 0-9, - and _.');
      const messageId = typeof sent === 'string' ? sent : newId();
      const conversationId = chatId(channel.id, customer, channel.address);
      const earlier = await queries.findChannelMessage(channel.accountId, channel.id, conversationId, messageId);
      if (earlier) {
        if (earlier.content.type !== 'media' || !earlier.content.media) throw new BatonError('message_id_conflict', `This chat already has a message ${messageId} that is not a file; send the file with a new id.`);
        const m = earlier.content.media;
        return { id: new URL(m.url).pathname.split('/')[3] ?? null, url: m.url, name: m.name, type: m.contentType, size: m.size, message: visitorMessage(earlier, []) };
      }
      const file = await files.put({ accountId: channel.accountId, conversationId, uploader: { kind: 'customer', id: customer }, name: uploadedName(req), declaredType: req.headers['content-type'], bytes: req.body as Buffer });
      const origin = originOf(req);
      let outcome;
      try {
        const available = await deps.available(channel);
        outcome = await router.receive({ accountId: channel.accountId, channelId: channel.id, customer, channelMessageId: messageId, content: { type: 'media', media: fileMedia(file, origin) }, ...(available ? {} : { nobodyAnswers: true }) }, undefined, req.actor);
      } catch (err) {
        await files.remove(channel.accountId, file.id);
        throw err;
      }
      const message = outcome.message!;
      if (outcome.duplicate) await files.remove(channel.accountId, file.id);
      else await live.publish({ accountId: channel.accountId, topic: 'visitor', conversationId: message.conversationId, messageId: message.id }).catch(() => {});
      void reply.status(outcome.duplicate ? 200 : 201);
      return { ...uploadAnswer(file, origin), message: visitorMessage(message, []) };
    });
  });
}
