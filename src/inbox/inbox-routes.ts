import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { ControlRequest } from '../core/control.js';
import { BatonError } from '../core/errors.js';
import type { Agent, Component } from '../core/model.js';
import type { ConversationView, Queries } from '../core/queries.js';
import type { Router } from '../core/router.js';
import type { LiveBus } from '../live/live-bus.js';
import type { AgentHub } from './agent-hub.js';
import { ConversationDigests } from './conversation-digests.js';
import type { ConversationSearch } from './conversation-search.js';
import { inboxSearchRoutes } from './inbox-search-routes.js';
import { inboxTypingRoute } from './inbox-typing-route.js';
import { inboxFileRoute } from './inbox-file-route.js';
import type { Files } from '../core/files.js';
import { ACCEPTED_FILE_TYPES } from '../core/file-types.js';
import { inboxScope } from './inbox-scope.js';
import type { LoginSession } from './login-sessions.js';
import { conversationCard, timeline } from './inbox-views.js';
import { lastReadMessage } from './read-receipts.js';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const ConvParams = Type.Object({ id: Id });
const ListQuery = Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])) });
const ReplyBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 8000 }) }, { additionalProperties: false });
const NoteBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000, pattern: '\\S' }) }, { additionalProperties: false });
const HandbackBody = Type.Object({ flow: Type.Optional(Type.String({ maxLength: 200 })), step: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
const AssignBody = Type.Object({ agentId: Id }, { additionalProperties: false });
const TransferBody = Type.Object({ team: Type.Union([Id, Type.Null()]) }, { additionalProperties: false });
const PresenceBody = Type.Object({ presence: Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]) }, { additionalProperties: false });
const Empty = Type.Object({}, { additionalProperties: false });

export interface InboxDeps {
  router: Router;
  queries: Queries;
  live: LiveBus;
  hub: AgentHub;
  search: ConversationSearch;
  files: Files;
}

/** The desk component an agent acts as: the conversation's own desk when it is an inbox, else the account's first inbox. */
function inboxOf(components: readonly Component[], conv: ConversationView | null): string {
  const inboxes = components.filter((c) => c.dialect === 'inbox' && c.kind === 'desk');
  const own = conv?.desk ? inboxes.find((c) => c.id === conv.desk) : undefined;
  const chosen = own ?? inboxes[0];
  if (!chosen) throw new BatonError('invalid_transition', 'This account has no inbox desk: add a component with `kind: desk, dialect: inbox` to baton.yaml.');
  return chosen.id;
}

/**
 * The agents' desk, under /inbox/api: queues, one conversation's whole story, and the agent's
 * actions, each one core command in the agent's own account (the session decides which).
 */
export async function inboxRoutes(app: FastifyInstance, deps: InboxDeps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { router, queries, live, hub } = deps;
  const me = (req: FastifyRequest): LoginSession => req.login!;
  const digests = new ConversationDigests(queries);
  const card = async (c: ConversationView, agents: readonly Agent[]) => conversationCard(c, agents, await digests.of(c));
  await inboxSearchRoutes(app, { queries, search: deps.search, digests });
  await inboxTypingRoute(app, { queries, live });
  await inboxFileRoute(app, { router, queries, live, files: deps.files, card, deskOf: async (accountId, conv) => inboxOf(await queries.components(accountId), conv) });

  api.get('/me', { schema: { hide: true } }, async (req) => {
    const login = me(req);
    const [agent, account, components, maxBytes] = await Promise.all([queries.agent(login.accountId, login.agentId), queries.account(login.accountId), queries.components(login.accountId), deps.files.limitOf(login.accountId)]);
    return {
      csrfToken: login.csrfToken,
      agent: { id: agent.id, name: agent.name, presence: agent.presence, teams: agent.teams, admin: agent.admin === true },
      account: { id: account.id, name: account.name, teams: account.teams.map((t) => t.id), emergency: account.emergency },
      bots: components.filter((c) => c.kind === 'bot').map((c) => ({ id: c.id, flows: c.flows })),
      files: { maxBytes, types: ACCEPTED_FILE_TYPES },
    };
  });

  api.get('/agents', { schema: { hide: true } }, async (req) => ({
    items: (await queries.agents(me(req).accountId)).map((a) => ({ id: a.id, name: a.name, presence: a.presence, teams: a.teams })),
  }));

  api.put('/presence', { schema: { hide: true, body: PresenceBody } }, async (req) => {
    const login = me(req);
    await router.setPresence(login.accountId, login.agentId, req.body.presence, req.actor);
    await live.publish({ accountId: login.accountId, topic: 'agents' });
    return { presence: req.body.presence };
  });

  api.get('/conversations', { schema: { hide: true, querystring: ListQuery } }, async (req) => {
    const accountId = me(req).accountId;
    const [page, agents, scope] = await Promise.all([queries.conversations(accountId, { status: req.query.status ?? 'open', limit: 200 }), queries.agents(accountId), inboxScope(queries, me(req))]);
    return { items: await Promise.all(page.items.filter(scope.shows).map((c) => card(c, agents))) };
  });

  api.get('/conversations/:id', { schema: { hide: true, params: ConvParams } }, async (req) => {
    const accountId = me(req).accountId;
    const conv = await queries.conversation(accountId, req.params.id);
    (await inboxScope(queries, me(req))).requireReadable(conv);
    const [messages, events, agents, channel] = await Promise.all([
      queries.messages(accountId, conv.id),
      queries.events(accountId, conv.id, 0, 1000),
      queries.agents(accountId),
      queries.channel(accountId, conv.channelId),
    ]);
    const s = conv.agentSession;
    return {
      conversation: await card(conv, agents),
      channel: { id: channel.id, kind: channel.kind },
      bot: conv.bot,
      desk: conv.desk,
      position: conv.position,
      enabled: conv.enabled,
      handover: s ? { note: s.note, context: s.context, reason: s.reason, team: s.team, openedAt: s.openedAt, status: s.status } : null,
      context: conv.context,
      visitor: conv.visitor,
      // Fields the visitor's own browser sent: shown as such, so no agent takes `tier: gold` as given.
      unverifiedVisitor: conv.unverifiedVisitor ?? [],
      timeline: timeline(messages, events.items, agents),
      readMessageId: lastReadMessage(messages, events.items),
    };
  });

  const action = <B>(path: string, body: object, toCommand: (b: B, agentId: string, inbox: string, conv: ConversationView) => ControlRequest | 'reply') => {
    api.post(path, { schema: { hide: true, params: ConvParams, body } }, async (req) => {
      const login = me(req);
      const conv = await queries.conversation(login.accountId, (req.params as { id: string }).id);
      (await inboxScope(queries, login)).requireReadable(conv);
      const inbox = inboxOf(await queries.components(login.accountId), conv);
      const b = req.body as B;
      const cmd = toCommand(b, login.agentId, inbox, conv);
      if (cmd === 'reply') {
        await router.reply(login.accountId, conv.id, { componentId: inbox, authorKind: 'agent', agentId: login.agentId, content: { type: 'text', text: (b as { text: string }).text } }, undefined, req.actor);
        // The desk is not delivered its own message (core/fanout.ts), so the other agents' pages are told here.
        await live.publish({ accountId: login.accountId, topic: 'conversation', conversationId: conv.id, type: 'message.sent' });
      } else {
        await router.command(login.accountId, conv.id, cmd, undefined, { actor: req.actor, priority: 'urgent' });
        // A conversation the desk has not joined yet gets no delivery of the note: the agents' pages are told here.
        if (cmd.type === 'add_note' && !conv.desk) await live.publish({ accountId: login.accountId, topic: 'conversation', conversationId: conv.id, type: 'note.added' });
      }
      const after = await queries.conversation(login.accountId, conv.id);
      return { conversation: await card(after, await queries.agents(login.accountId)) };
    });
  };

  action('/conversations/:id/reply', ReplyBody, () => 'reply');
  // Take: what it means (a takeover from the bot, an assignment from the queue) is the core's (control.ts resolveRequest).
  action('/conversations/:id/take', Empty, (_b, agentId, inbox, conv) => ({ type: 'take', by: inbox, agentId, expectedVersion: conv.controlVersion }));
  // Assign: to a named agent, on purpose, so from whoever holds it (a take never is; it gets 409 conversation_taken).
  action<{ agentId: string }>('/conversations/:id/assign', AssignBody, (b) => ({ type: 'assign', agentId: b.agentId, reassign: true }));
  action<{ flow?: string; step?: string }>('/conversations/:id/handback', HandbackBody, (b, _a, inbox, conv) => {
    const flow = b.flow?.trim();
    const step = b.step?.trim();
    if (Boolean(flow) !== Boolean(step)) throw new BatonError('validation_failed', 'Give both a flow and a step, or neither.');
    return { type: 'handback', by: inbox, expectedVersion: conv.controlVersion, ...(flow && step ? { position: { flow, step } } : {}) };
  });
  action<{ team: string | null }>('/conversations/:id/transfer', TransferBody, (b) => ({ type: 'transfer', team: b.team }));
  // A private note: for the agents, never the customer or the bot (core/fanout.ts).
  action<{ text: string }>('/conversations/:id/note', NoteBody, (b, agentId) => ({ type: 'add_note', agentId, text: b.text.trim() }));
  action('/conversations/:id/defer', Empty, (_b, agentId) => ({ type: 'defer', agentId }));
  action('/conversations/:id/close', Empty, (_b, _a, inbox) => ({ type: 'close', by: inbox }));

  app.get('/socket', { websocket: true, schema: { hide: true } }, (socket, req) => {
    const login = me(req);
    hub.add(login.accountId, login.agentId, socket);
  });
}
