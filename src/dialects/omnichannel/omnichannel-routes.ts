import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import Type from 'typebox';
import { isBatonError } from '../../core/errors.js';
import type { Channel } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import { resolveToken } from '../../edge-kit/credential-resolver.js';
import { channelVariables } from './channel-variables.js';
import { MALFORMED, MISSING, NO_ACTIVE_CHANNEL, omnichannelError } from './omnichannel-errors.js';
import { parseOmnichannelRequest } from './omnichannel-request.js';

const VisitorFields = Type.Object({ name: Type.Optional(Type.String()), login: Type.Optional(Type.String()), phone: Type.Optional(Type.String()), email: Type.Optional(Type.String()), site: Type.Optional(Type.String()) });
const RequestBody = Type.Object({
  event: Type.String({ description: '`new_message`; any other event is acknowledged (200) and ignored.' }),
  chat_id: Type.Union([Type.Integer(), Type.String()], { description: 'The chat on the client server; one Baton conversation per chat.' }),
  visitor: Type.Object({ id: Type.String(), fields: Type.Optional(VisitorFields) }),
  message: Type.Object({
    id: Type.String({ description: 'The client\'s message id: a retried request is accepted once.' }),
    kind: Type.String({ description: '`visitor` (text), `file_visitor` (processed when `data.state` is `ready`), `keyboard_response` (a button press).' }),
    text: Type.Optional(Type.String()),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
});

/**
 * The Omnichannel universal channel (seed 004): the company's client server posts its visitors'
 * messages here and gets every answer at `{its url}/send_message`. The answers are the document's,
 * not Baton's usual error shape: its module declares `omnichannelErrors` for this scope.
 */
export async function omnichannelRoutes(app: FastifyInstance, deps: { router: Router; queries: Queries; metrics: Registry }): Promise<void> {
  const { router, queries } = deps;
  const ignored = (deps.metrics.getSingleMetric('baton_omnichannel_ignored_total') as Counter<'account' | 'channel' | 'reason'> | undefined)
    ?? new Counter({ name: 'baton_omnichannel_ignored_total', help: 'Omnichannel requests acknowledged but not processed, by reason', labelNames: ['account', 'channel', 'reason'], registers: [deps.metrics] });
  // The channel a request's token resolved to, found before the body is read.
  const channels = new WeakMap<FastifyRequest, Channel>();

  // The token is checked before the body is parsed: without an active channel nothing else matters.
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const token = (req.params as { token?: string } | undefined)?.token;
    if (token === undefined) return;
    const owner = await resolveToken(queries, 'channel_token', token);
    const channel = owner?.ownerKind === 'channel' ? await queries.activeChannelAhead(owner.accountId, owner.ownerId) : undefined;
    if (!channel || channel.kind !== 'omnichannel' || !channel.active) return reply.status(400).send(NO_ACTIVE_CHANNEL);
    channels.set(req, channel);
  });

  app.post<{ Params: { token: string } }>('/omnichannel_message/:token/bot_api_webhook', {
    schema: {
      tags: ['omnichannel'],
      summary: 'Omnichannel: a visitor message from the client server',
      description: 'Seed 004\'s request. Answers: 200 `{"status":"accepted",...}` or `{"status":"ignored","detail"}`; 400 `{"error":"There is no active channel for received event."}` for an unknown token or a switched-off channel; 400 for a missing parameter and 500 for any other malformed body, each with `detail`.',
      params: Type.Object({ token: Type.String({ maxLength: 200 }) }),
      body: RequestBody,
      security: [],
    },
    // The schema documents the request; the parser checks it, because the document gives each
    // kind of problem its own status (400 missing, 200 unknown event or kind, 500 the rest).
    validatorCompiler: () => () => true,
  }, async (req, reply) => {
    const channel = channels.get(req)!;
    // Fastify reads text/plain as a string; the document wants JSON ("content-type JSON").
    if (typeof req.body === 'string') return reply.status(500).send(omnichannelError(MALFORMED, 'send the body as JSON, with content-type application/json'));
    const parsed = parseOmnichannelRequest(req.body);
    if (parsed.kind === 'invalid') return reply.status(parsed.status).send(omnichannelError(parsed.status === 400 ? MISSING : MALFORMED, parsed.detail));
    if (parsed.kind === 'ignored') {
      ignored.inc({ account: channel.accountId, channel: channel.id, reason: parsed.reason });
      // A file on its way to `ready` is ordinary traffic; an event or kind Baton does not know is worth a look.
      if (parsed.reason !== 'file_not_ready') req.log.warn({ channel: channel.id, reason: parsed.reason }, parsed.detail);
      return { status: 'ignored', detail: parsed.detail };
    }
    const msg = parsed.message;
    try {
      const outcome = await router.receive({
        accountId: channel.accountId,
        channelId: channel.id,
        // One conversation per client chat: the document creates the Chat "on the basis of" chat_id.
        customer: String(msg.chatId),
        channelMessageId: msg.messageId,
        content: msg.content,
        visitor: { ...msg.visitor.fields, id: msg.visitor.id },
        context: channelVariables(msg),
      }, undefined, req.actor);
      return { status: 'accepted', duplicate: outcome.duplicate ?? false, conversation_id: outcome.conversation.id, message_id: outcome.message?.id ?? null };
    } catch (err) {
      // Switched off between the token check and the message: the same answer as before it.
      if (isBatonError(err) && (err.code === 'channel_inactive' || err.code === 'channel_not_found')) return reply.status(400).send(NO_ACTIVE_CHANNEL);
      // Not a retry: the client server reused a message id of this chat for another message.
      if (isBatonError(err) && err.code === 'message_id_conflict') return reply.status(409).send(omnichannelError('This message id was already used in this chat for another message.', err.message));
      throw err;
    }
  });
}
