import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type, { type Static } from 'typebox';
import type { ControlCommand } from '../../core/control.js';
import type { CustomerData } from '../../core/customer-data.js';
import { BatonError } from '../../core/errors.js';
import type { Channel, Component, MessageContent } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';
import type { CommandOutcome, Router } from '../../core/router.js';
import { idempotencyOf } from '../../edge-kit/idempotency.js';
import { channelView } from './channel-activation-routes.js';
import { customerDataRoutes } from './customer-data-routes.js';
import * as S from './schemas.js';

function withBase(base: string, path: string | null): string | null {
  return path ? base + path : null;
}

export interface NativeDeps {
  router: Router;
  queries: Queries;
  /** Where each component's and channel's own calls arrive, by dialect; shown to operators. */
  addresses: { component(c: Component): string | null; channel(c: Channel): string | null };
  /** Exports and erasure of a customer's data (customer-data-routes.ts); served when given. */
  customerData?: CustomerData;
}

const errors = { 400: Type.Ref('Error'), 401: Type.Ref('Error'), 404: Type.Ref('Error'), 409: Type.Ref('Error') };

function contentOf(body: { text?: string | undefined; content?: unknown }): MessageContent {
  if (body.content) return body.content as MessageContent;
  if (body.text !== undefined) return { type: 'text', text: body.text };
  throw new BatonError('validation_failed', 'Send either `text` or `content`.');
}

async function answer(reply: FastifyReply, queries: Queries, accountId: string, outcome: CommandOutcome, created = false): Promise<unknown> {
  // A fresh outcome already carries the view as committed; a replay shows the conversation as it is now.
  const conversation = !outcome.duplicate && 'enabled' in outcome.conversation ? outcome.conversation : await queries.conversation(accountId, outcome.conversation.id);
  if (outcome.duplicate) void reply.header('idempotent-replayed', 'true');
  void reply.status(created && !outcome.duplicate ? 201 : 200);
  return { conversation, events: outcome.events, ...(outcome.message ? { message: outcome.message } : {}), duplicate: outcome.duplicate ?? false };
}

/**
 * Baton's own REST API under /v1 (the caller's scope authenticates every request): the clean, documented dialect. Each route parses, calls one
 * core command or query, and renders; no routing decision is taken here.
 */
export async function nativeRoutes(app: FastifyInstance, deps: NativeDeps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { router, queries } = deps;

  api.post('/channels/:channelId/messages', {
    schema: { tags: ['messages'], summary: 'A customer message arriving on a native channel', params: S.ChannelParams, headers: S.IdempotencyHeader, body: S.InboundBody, response: errors },
  }, async (req, reply) => {
    const b = req.body;
    const outcome = await router.receive({
      accountId: req.accountId,
      channelId: req.params.channelId,
      customer: b.customer,
      content: contentOf(b),
      ...(b.business ? { business: b.business } : {}),
      ...(b.messageId ? { channelMessageId: b.messageId } : {}),
      ...(b.visitor ? { visitor: b.visitor } : {}),
      ...(b.context ? { context: b.context } : {}),
    }, idempotencyOf(req), req.actor);
    return answer(reply, queries, req.accountId, outcome, true);
  });

  api.post('/conversations/:id/replies', {
    schema: { tags: ['messages'], summary: 'A bot, agent or system reply to the customer', description: 'Refused with 409 component_disabled unless the component may answer now, and with 409 stale_control when expectedVersion is behind.', params: S.ConversationParams, headers: S.IdempotencyHeader, body: S.ReplyBody, response: errors },
  }, async (req, reply) => {
    const b = req.body;
    const outcome = await router.reply(req.accountId, req.params.id, {
      componentId: b.componentId,
      authorKind: b.authorKind ?? 'bot',
      content: contentOf(b),
      ...(b.agentId ? { agentId: b.agentId } : {}),
      ...(b.expectedVersion !== undefined ? { expectedVersion: b.expectedVersion } : {}),
    }, idempotencyOf(req), req.actor);
    return answer(reply, queries, req.accountId, outcome, true);
  });

  const control = <B>(path: string, summary: string, body: object, toCommand: (b: B) => ControlCommand) => {
    api.post(path, { schema: { tags: ['control'], summary, params: S.ConversationParams, headers: S.IdempotencyHeader, body, response: errors } }, async (req, reply) => {
      const { id } = req.params as { id: string };
      const outcome = await router.command(req.accountId, id, toCommand(req.body as B), idempotencyOf(req), { actor: req.actor });
      return answer(reply, queries, req.accountId, outcome);
    });
  };

  control<Static<typeof S.HandoverBody>>('/conversations/:id/handover', 'Bot -> humans: opens an agent session and queues the conversation for a team', S.HandoverBody, (b) => ({ type: 'handover', ...b }));
  control<Static<typeof S.TakeoverBody>>('/conversations/:id/takeover', 'A human takes control while the bot is answering', S.TakeoverBody, (b) => ({ type: 'takeover', ...b }));
  control<Static<typeof S.HandbackBody>>('/conversations/:id/handback', 'Humans -> bot, optionally at a flow/step', S.HandbackBody, (b) => ({ type: 'handback', ...b }));
  control<Static<typeof S.PositionBody>>('/conversations/:id/position', 'Ask the bot to move to a flow/step', S.PositionBody, (b) => ({ type: 'position', ...b }));
  control<Static<typeof S.ResetBody>>('/conversations/:id/reset', 'Drop all mutations: the rule\'s defaults apply again', S.ResetBody, (b) => ({ type: 'reset', ...b }));
  control<Static<typeof S.MutationsBody>>('/conversations/:id/mutations', 'Enable or disable components (with optional context)', S.MutationsBody, (b) => ({ type: 'mutate', ...b }));
  control<Static<typeof S.AssignBody>>('/conversations/:id/assign', 'Give the open agent session to an agent', S.AssignBody, (b) => ({ type: 'assign', agentId: b.agentId, ...(b.reassign ? { reassign: true } : {}) }));
  control<Static<typeof S.TransferBody>>('/conversations/:id/transfer', 'Send the agent session back to a team\'s queue', S.TransferBody, (b) => ({ type: 'transfer', team: b.team }));
  control<Static<typeof S.DeferBody>>('/conversations/:id/defer', 'Park the agent session without completing it', S.DeferBody, (b) => ({ type: 'defer', ...b }));
  control<Static<typeof S.CloseBody>>('/conversations/:id/close', 'Close the conversation, the bot session or the agent session', S.CloseBody, (b) => {
    const scope = b.scope ?? 'conversation';
    if (scope === 'bot_session') return { type: 'close_bot_session', ...(b.by ? { by: b.by } : {}) };
    if (scope === 'agent_session') return { type: 'close_agent_session', ...(b.agentId ? { agentId: b.agentId } : {}) };
    return { type: 'close', ...(b.by ? { by: b.by } : {}), ...(b.expectedVersion !== undefined ? { expectedVersion: b.expectedVersion } : {}) };
  });

  api.get('/conversations/:id', {
    schema: { tags: ['conversations'], summary: 'A conversation with its control state', params: S.ConversationParams, response: errors },
  }, async (req) => ({ conversation: await queries.conversation(req.accountId, req.params.id) }));

  api.get('/conversations/:id/events', {
    schema: { tags: ['conversations'], summary: 'The event log after a sequence number (cursor paging)', params: S.ConversationParams, querystring: S.EventsQuery, response: errors },
  }, async (req) => {
    // Private notes are the agents' (the inbox shows them): bots read this log with the account's key.
    const page = await queries.events(req.accountId, req.params.id, req.query.after ?? 0, req.query.limit ?? 100);
    return { ...page, items: page.items.filter((e) => e.type !== 'note.added') };
  });

  api.post('/messages/:messageId/status', {
    schema: { tags: ['messages'], summary: 'A channel\'s receipt for a message sent to the customer: delivered, read or failed', description: 'The component that sent the message receives it as message.status (IMI bots as Message Delivery / Read / Failed), as it happens.', params: S.MessageParams, headers: S.IdempotencyHeader, body: S.MessageStatusBody, response: errors },
  }, async (req, reply) => {
    const message = await queries.message(req.accountId, req.params.messageId);
    if (message.author.kind === 'customer') throw new BatonError('invalid_transition', `Message ${message.id} is the customer's; receipts are for messages sent to the customer.`);
    const conv = await queries.conversation(req.accountId, message.conversationId);
    // An agent's message was sent through the desk: its receipt goes there.
    const componentId = message.author.kind === 'agent' ? conv.desk : message.author.id;
    if (!componentId) throw new BatonError('invalid_transition', `Message ${message.id} has no component to tell.`);
    const outcome = await router.command(req.accountId, conv.id, { type: 'message_status', messageId: message.id, componentId, status: req.body.status, ...(req.body.description ? { description: req.body.description } : {}) }, idempotencyOf(req), { actor: req.actor });
    return answer(reply, queries, req.accountId, outcome);
  });

  api.get('/conversations/:id/messages', {
    schema: { tags: ['conversations'], summary: 'The messages of a conversation, oldest first', params: S.ConversationParams, response: errors },
  }, async (req) => ({ items: await queries.messages(req.accountId, req.params.id) }));

  api.get('/conversations', {
    schema: { tags: ['conversations'], summary: 'Conversations by status, team and controller, most recently changed first', querystring: S.ListQuery, response: errors },
  }, async (req) => {
    const q = req.query;
    return queries.conversations(req.accountId, {
      limit: q.limit ?? 50,
      ...(q.status ? { status: q.status } : {}),
      ...(q.team ? { team: q.team } : {}),
      ...(q.controller ? { controller: q.controller } : {}),
      ...(q.after ? { after: q.after } : {}),
    });
  });

  api.get('/account', { schema: { tags: ['admin'], summary: 'The caller\'s account', response: errors } }, async (req) => ({ account: await queries.account(req.accountId) }));
  api.get('/channels', { schema: { tags: ['admin'], summary: 'Channels of the account, with the address their messages arrive at', response: errors } }, async (req) => {
    const base = `${req.protocol}://${req.host}`;
    // The address is worked out from the whole channel (an Omnichannel address holds its token); the view leaves credentials out.
    return { items: (await queries.channels(req.accountId)).map((c) => channelView(c, withBase(base, deps.addresses.channel(c)))) };
  });
  api.get('/components', { schema: { tags: ['admin'], summary: 'Components of the account, with the webhook URL their dialect calls Baton at', response: errors } }, async (req) => {
    const base = `${req.protocol}://${req.host}`;
    return { items: (await queries.components(req.accountId)).map((c) => { const { secrets: _s, ...rest } = c; return { ...rest, inboundUrl: withBase(base, deps.addresses.component(c)) }; }) };
  });
  api.get('/audit', {
    schema: { tags: ['admin'], summary: 'The audit log: control changes and admin actions, with actor and time, newest first', querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })), before: Type.Optional(Type.String({ maxLength: 512 })) }), response: errors },
  }, async (req) => queries.audit(req.accountId, req.query.limit ?? 100, req.query.before));

  api.get('/agents', { schema: { tags: ['admin'], summary: 'Agents of the account with their presence', response: errors } }, async (req) => ({ items: await queries.agents(req.accountId) }));

  api.put('/agents/:agentId/presence', {
    schema: { tags: ['admin'], summary: 'Set an agent\'s presence (feeds availability before handovers)', params: S.AgentParams, body: S.PresenceBody, response: errors },
  }, async (req) => {
    await router.setPresence(req.accountId, req.params.agentId, req.body.presence, req.actor);
    return { agent: await queries.agent(req.accountId, req.params.agentId) };
  });

  api.post('/emergency', {
    schema: { tags: ['admin'], summary: 'The account-wide emergency handover switch', description: 'On: bots are disabled in every new and existing conversation and everything goes to the humans. Off: the previous routing comes back; `handBack` chooses whether the bots are told, or whether the conversations stay with the humans.', body: S.EmergencyBody, response: errors },
  }, async (req) => {
    const { on, handBack } = req.body;
    const result = await router.setEmergency(req.accountId, on, req.actor, handBack);
    return { emergency: on, ...(on ? {} : { handBack: handBack ?? 'tell_bots' }), ...result };
  });

  if (deps.customerData) await customerDataRoutes(app, { customerData: deps.customerData });
}
