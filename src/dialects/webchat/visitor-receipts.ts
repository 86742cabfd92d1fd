import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { BatonError, isBatonError } from '../../core/errors.js';
import type { Channel, Message } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Params = Type.Object({ accountId: Id, channelId: Id, messageId: Id });
const Body = Type.Object({ status: Type.Union([Type.Literal('delivered'), Type.Literal('read')]) }, { additionalProperties: false });

export interface ReceiptDeps {
  router: Router;
  queries: Queries;
  channelOf(accountId: string, channelId: string): Promise<Channel>;
  /** The visitor's own conversation on this channel, from their token. */
  conversationOf(channel: Channel, token: unknown): string;
}

/**
 * The visitor's page reports what became of an answer: `delivered` when it arrives, `read` when
 * it is on screen. Each becomes the same core command as the native API's receipts
 * (`POST /v1/messages/{id}/status`), so the bot or desk that sent it hears `message.status`.
 * A visitor reaches only the messages of their own chat; anyone else's is "not found", so the
 * route tells nobody which message ids exist. A report is taken once per message and status:
 * the page sends it again after every reload, and the sender hears it once.
 */
export async function visitorReceipts(app: FastifyInstance, deps: ReceiptDeps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post('/:accountId/:channelId/messages/:messageId/status', {
    schema: { tags: ['webchat'], summary: 'The visitor\'s page saw an answer arrive (delivered) or shown (read)', params: Params, body: Body },
  }, async (req) => {
    const channel = await deps.channelOf(req.params.accountId, req.params.channelId);
    const conversationId = deps.conversationOf(channel, req.headers['x-visitor-token']);
    const message = await ownMessage(deps.queries, channel.accountId, conversationId, req.params.messageId);
    if (message.author.kind === 'customer') throw new BatonError('invalid_transition', `Message ${message.id} is the visitor's own; receipts are for answers.`);
    const conv = await deps.queries.conversation(channel.accountId, conversationId);
    // An agent's message was sent through the desk: its receipt goes there, as on the native API.
    const componentId = message.author.kind === 'agent' ? conv.desk : message.author.id;
    if (!componentId) throw new BatonError('invalid_transition', `Message ${message.id} has no component to tell.`);
    const key = `webchat-receipt:${message.id}:${req.body.status}`;
    const outcome = await deps.router.command(channel.accountId, conversationId, { type: 'message_status', messageId: message.id, componentId, status: req.body.status }, { key, fingerprint: key }, { actor: req.actor });
    return { messageId: message.id, status: req.body.status, duplicate: outcome.duplicate === true };
  });
}

async function ownMessage(queries: Queries, accountId: string, conversationId: string, messageId: string): Promise<Message> {
  const message = await queries.message(accountId, messageId).catch((err: unknown) => {
    if (isBatonError(err) && err.code === 'message_not_found') return null;
    throw err;
  });
  if (!message || message.conversationId !== conversationId) throw new BatonError('message_not_found', `No message ${messageId} in your chat.`);
  return message;
}
