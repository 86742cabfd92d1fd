import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Conversation } from '../../core/conversation.js';
import { isBatonError } from '../../core/errors.js';
import type { Channel, Component } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import { type BmMessage, readBmEnvelope, readBmMessages } from './bm-request.js';
import { accepted, answer, BM, type BmEntry, refusedRequest, rejected } from './bm-response.js';
import { componentByProductToken, headerValue } from './cm-auth.js';
import { findChat, moNumber, startChannels } from './cm-chat.js';

interface Deps {
  router: Router;
  queries: Queries;
}

/**
 * The chat a message to a customer with none starts: Business Messaging lets a bot write first.
 * It goes on the one `cm` channel that sends from `from`, and the router opens it as a customer's
 * first message would (rules, business hours and the emergency switches decide whether the sender
 * may write in it). A string says why no chat could be started.
 */
async function startChat(deps: Deps, accountId: string, sender: Component, from: string, to: string, channels: Channel[], actor: string): Promise<Conversation | string> {
  const candidates = startChannels(channels, from);
  const none = `No chat between ${to} and ${from} that component ${sender.id} takes part in`;
  if (candidates.length === 0) return `${none}, and no cm channel of this account sends from ${from} to start one: answer an MO with from = its to.number and to = its from.number, or send from a cm channel's address.`;
  if (candidates.length > 1) return `${none}, and several cm channels send from ${from} (${candidates.map((c) => c.id).join(', ')}): answer an MO of the customer first, so that the chat names its channel.`;
  const channel = candidates[0]!;
  const out = await deps.router.open({ accountId, channelId: channel.id, customer: moNumber(to), business: channel.address, componentId: sender.id }, undefined, actor);
  return out.conversation;
}

/** One recipient of one message: find its chat (or start one), reply as the sender, say how it went. */
async function sendOne(deps: Deps, accountId: string, sender: Component, msg: BmMessage, to: string, channels: Channel[], actor: string): Promise<BmEntry> {
  if (!msg.ok) return rejected(to, msg.reference, msg.code, msg.details);
  try {
    const conv = await findChat(deps.queries, channels, accountId, sender.id, msg.from, to, msg.allowedChannels) ?? await startChat(deps, accountId, sender, msg.from, to, channels, actor);
    if (typeof conv === 'string') return rejected(to, msg.reference, BM.toInvalid, conv);
    await deps.router.reply(accountId, conv.id, { componentId: sender.id, authorKind: sender.kind === 'desk' ? 'agent' : 'bot', content: msg.content }, undefined, actor);
    return accepted(to, msg.reference);
  } catch (err) {
    // Refused by the router (the component is disabled, the chat is closed, the channel is off):
    // a reply is recorded there as reply.refused, a chat that could not start is not opened; nothing is sent.
    if (isBatonError(err) && err.status < 500) return rejected(to, msg.reference, BM.rejected, `Rejected (${err.code}): ${err.message} The message was not sent to the customer.`);
    throw err;
  }
}

async function handle(deps: Deps, req: FastifyRequest<{ Params: { accountId: string } }>, reply: FastifyReply): Promise<unknown> {
  const { accountId } = req.params;
  const envelope = readBmEnvelope(req.body, headerValue(req.headers['x-cm-producttoken']));
  if (!envelope.ok) return reply.status(400).send(refusedRequest(envelope.errorCode, envelope.details));
  const sender = await componentByProductToken(deps.queries, accountId, envelope.productToken);
  // As the Business Messaging API answers an unknown product token (CM "Responses & Errors - JSON").
  if (!sender) return reply.status(400).send(refusedRequest(BM.authenticationFailed, 'No account found for the given authentication'));
  const messages = readBmMessages(envelope.msg);
  if (!messages) return reply.status(400).send(refusedRequest(BM.msgArrayIncorrect, 'The msg array is incorrect: messages.msg must be an array with at least one message.'));
  const channels = await deps.queries.channels(accountId);
  const entries: BmEntry[] = [];
  // In order: two messages to one customer reach them in the order they were given.
  for (const msg of messages) {
    const recipients = msg.to.length > 0 ? msg.to : [''];
    for (const to of recipients) entries.push(await sendOne(deps, accountId, sender, msg, to, channels, req.actor));
  }
  const out = answer(entries);
  return reply.status(out.status).send(out.body);
}

/**
 * CM's BMProxy (seed 002): the Business Messaging API's send call, for bots behind the Bot
 * Router. The body is CM's (`messages.authentication.producttoken`, `messages.msg[]`), and so is
 * every answer, errors included. CM's SDKs pointed here append `/v1.0/message`.
 */
export async function cmBmProxyRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const schema = {
    tags: ['cm'],
    summary: 'CM BMProxy: send Business Messaging messages as a cm component',
    description: 'Body: CM\'s Business Messaging request (`{"messages": {"authentication": {"producttoken": "<the component\'s secrets.productToken>"}, "msg": [{"from": "<business>", "to": [{"number": "<customer>"}], "body": {"type": "auto", "content": "…"}, "reference": "…", "allowedChannels": ["WhatsApp"], "richContent": {…}}]}}`). '
      + 'Answers in CM\'s shape: 200 `{"details": "Created n message(s)", "errorCode": 0 | 201, "messages": [{"to", "status": "Accepted" | "Rejected", "reference", "parts", "messageDetails", "messageErrorCode"}]}`; 400 when nothing was accepted (errorCode 101: unknown product token, 202: malformed, 203: bad msg array, 201: every message rejected).',
    params: { type: 'object', properties: { accountId: { type: 'string' } }, required: ['accountId'] },
    security: [],
  };
  app.post<{ Params: { accountId: string } }>('/accounts/:accountId', { schema }, (req, reply) => handle(deps, req, reply));
  app.post<{ Params: { accountId: string } }>('/accounts/:accountId/v1.0/message', { schema: { ...schema, summary: 'CM BMProxy, as CM\'s SDKs call it (base path + /v1.0/message)' } }, (req, reply) => handle(deps, req, reply));
}
