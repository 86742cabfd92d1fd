import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Clock } from '../../core/clock.js';
import { BatonError, isBatonError } from '../../core/errors.js';
import { chatId } from '../../core/ids.js';
import { isAgentSessionOpen } from '../../core/conversation.js';
import type { Channel, MessageContent } from '../../core/model.js';
import type { ConversationView, Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import type { LiveBus } from '../../live/live-bus.js';
import type { VisitorHub } from './visitor-hub.js';
import { visitorIdOf } from './visitor-identity.js';
import { visitorMessage } from './visitor-message.js';
import { visitorOpened } from './visitor-opened.js';
import { visitorReceipts } from './visitor-receipts.js';
import { visitorFiles } from './visitor-files.js';
import type { Files } from '../../core/files.js';
import { ACCEPTED_FILE_TYPES } from '../../core/file-types.js';

/** Open visitor sockets one client address may hold, and how soon a new one must say hello. */
const SOCKETS_PER_ADDRESS = 20;
const HELLO_WITHIN_MS = 5_000;

const Id = Type.String({ minLength: 1, maxLength: 200 });
const Params = Type.Object({ accountId: Id, channelId: Id });
const SendBody = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$', description: 'Chosen by the page; a retry with the same id is accepted once.' }),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
  postback: Type.Optional(Type.Object({ payload: Type.String({ minLength: 1, maxLength: 500 }), title: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false })),
  visitor: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$' }), Type.String({ maxLength: 500 }), { maxProperties: 10 })),
}, { additionalProperties: false });
const OfflineBody = Type.Object({
  id: SendBody.properties.id,
  email: Type.String({ minLength: 3, maxLength: 254 }),
  text: Type.String({ minLength: 1, maxLength: 4000 }),
}, { additionalProperties: false });
/** Enough to answer by email (something@somewhere.tld); whether it exists is the agent's to find out. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Where a visitor's chat stands with the humans: not handed to them, waiting in a queue, or with an agent. */
export type HumansChat = 'none' | 'waiting' | 'answering';

function humansChat(conv: ConversationView | null): HumansChat {
  const s = conv?.agentSession ?? null;
  if (!conv || conv.status !== 'open' || !isAgentSessionOpen(s)) return 'none';
  return s.agentId && (s.status === 'assigned' || s.status === 'reopened') ? 'answering' : 'waiting';
}

export interface WebchatDeps {
  router: Router;
  queries: Queries;
  live: LiveBus;
  hub: VisitorHub;
  clock: Clock;
  files: Files;
}

/**
 * The visitor's side of a web chat channel, public but scoped: every call names the account and
 * channel in its path and the visitor by the token in `x-visitor-token`, and reaches only that
 * visitor's own chat. Messages enter the core like any channel's (`router.receive`), with the
 * page's message id as the channel message id, so a retried send is accepted once.
 */
export async function webchatRoutes(app: FastifyInstance, deps: WebchatDeps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { router, queries, live, hub, clock, files } = deps;

  const channelOf = async (accountId: string, channelId: string): Promise<Channel> => {
    const channel = await queries.channel(accountId, channelId).catch((err: unknown) => {
      if (isBatonError(err) && (err.code === 'account_not_found' || err.code === 'channel_not_found')) return null;
      throw err;
    });
    if (!channel || channel.kind !== 'webchat') throw new BatonError('channel_not_found', 'No web chat here; check the data-account and data-channel of the widget snippet.');
    return channel;
  };
  const availabilityOf = async (channel: Channel) => {
    const a = await queries.chatAvailability(channel.accountId, channel.id, clock.now());
    const account = await queries.account(channel.accountId);
    return { status: { title: account.name, active: channel.active, available: channel.active && a.available, botInFront: a.botInFront }, agentsOnline: a.agentsOnline > 0 };
  };
  const status = async (channel: Channel) => (await availabilityOf(channel)).status;
  const conversationIdOf = (channel: Channel, req: FastifyRequest) => chatId(channel.id, visitorIdOf(req.headers['x-visitor-token']), channel.address);
  const findConversation = (channel: Channel, conversationId: string) => queries.conversation(channel.accountId, conversationId).catch((err: unknown) => {
    if (isBatonError(err) && err.code === 'conversation_not_found') return null;
    throw err;
  });
  const historyOf = async (channel: Channel, conversationId: string) => {
    const [messages, agents] = await Promise.all([
      queries.messages(channel.accountId, conversationId).catch((err: unknown) => {
        if (isBatonError(err) && err.code === 'conversation_not_found') return [];
        throw err;
      }),
      queries.agents(channel.accountId),
    ]);
    return messages.map((m) => visitorMessage(m, agents));
  };

  api.get('/:accountId/:channelId/status', { schema: { tags: ['webchat'], summary: 'Whether anyone answers this chat now (a bot in front, or an agent online)', params: Params } }, async (req, reply) => {
    // The widget asks from the business's own site: this answer is public and carries no credential.
    void reply.header('access-control-allow-origin', '*');
    const channel = await channelOf(req.params.accountId, req.params.channelId);
    // The look comes with it, so the widget draws its button in the right colour and corner without another request.
    const [s, look] = await Promise.all([status(channel), queries.widgetLook(channel)]);
    return { ...s, look };
  });

  api.get('/:accountId/:channelId/history', { schema: { tags: ['webchat'], summary: 'The visitor\'s own messages and answers, oldest first', params: Params } }, async (req) => {
    const channel = await channelOf(req.params.accountId, req.params.channelId);
    const conversationId = conversationIdOf(channel, req);
    const [a, messages, conv, look, maxBytes] = await Promise.all([availabilityOf(channel), historyOf(channel, conversationId), findConversation(channel, conversationId), queries.widgetLook(channel), files.limitOf(channel.accountId)]);
    // `humans` lets the page say what a bot cannot: whether anyone is online, and whether this chat waits for them.
    const chat = humansChat(conv);
    // The visitor is told who answers ("Sam joined the chat"), by the name baton.yaml gives the agent.
    const agentId = chat === 'answering' ? conv?.agentSession?.agentId : null;
    const agent = agentId ? (await queries.agents(channel.accountId)).find((x) => x.id === agentId)?.name ?? null : null;
    // The email the visitor left (the offline form), and, while they wait with agents online, their place in the queue.
    const email = conv && conv.unverifiedVisitor?.includes('email') ? conv.visitor.email ?? null : null;
    const queue = chat === 'waiting' && a.agentsOnline && conv ? await queries.queueStanding(conv, clock.now()) : null;
    // `closed`: the agent closed the chat; the page says so, and the visitor's next message opens it again.
    // `files`: what the page may attach, so it can refuse a file before uploading it.
    return { status: { ...a.status, look }, messages, humans: { online: a.agentsOnline, chat, agent, email, queue }, closed: conv?.status === 'closed', files: { maxBytes, types: ACCEPTED_FILE_TYPES } };
  });

  api.post('/:accountId/:channelId/messages', { schema: { tags: ['webchat'], summary: 'A visitor\'s message or button press', params: Params, body: SendBody } }, async (req, reply) => {
    const channel = await channelOf(req.params.accountId, req.params.channelId);
    const customer = visitorIdOf(req.headers['x-visitor-token']);
    const b = req.body;
    if (!b.text && !b.postback) throw new BatonError('validation_failed', 'Send `text` or `postback`.');
    const content: MessageContent = b.postback ? { type: 'postback', postback: b.postback, text: b.postback.title } : { type: 'text', text: b.text! };
    // With nobody to answer, the core refuses the message (chat_unavailable) unless the chat is with the humans.
    const s = await status(channel);
    const outcome = await router.receive({ accountId: channel.accountId, channelId: channel.id, customer, channelMessageId: b.id, content, ...(b.visitor ? { visitor: b.visitor, visitorUnverified: true } : {}), ...(s.available ? {} : { nobodyAnswers: true }) }, undefined, req.actor);
    const message = outcome.message!;
    // The visitor's other open pages show it too.
    if (!outcome.duplicate) await live.publish({ accountId: channel.accountId, topic: 'visitor', conversationId: message.conversationId, messageId: message.id }).catch(() => {});
    void reply.status(outcome.duplicate ? 200 : 201);
    return { message: visitorMessage(message, []) };
  });

  api.post('/:accountId/:channelId/offline', { schema: { tags: ['webchat'], summary: 'A message left for the team while nobody is online, with the email to answer at', params: Params, body: OfflineBody } }, async (req, reply) => {
    const channel = await channelOf(req.params.accountId, req.params.channelId);
    const customer = visitorIdOf(req.headers['x-visitor-token']);
    const b = req.body;
    const email = b.email.trim();
    if (!EMAIL.test(email)) throw new BatonError('validation_failed', 'Give an email address like name@example.com, so the team can answer you there.');
    // Kept as a visitor field the visitor typed (unverified), and queued for the humans however few are online.
    const outcome = await router.receive({ accountId: channel.accountId, channelId: channel.id, customer, channelMessageId: b.id, content: { type: 'text', text: b.text }, visitor: { email }, visitorUnverified: true, forHumans: true }, undefined, req.actor);
    const message = outcome.message!;
    if (!outcome.duplicate) await live.publish({ accountId: channel.accountId, topic: 'visitor', conversationId: message.conversationId, messageId: message.id }).catch(() => {});
    void reply.status(outcome.duplicate ? 200 : 201);
    return { message: visitorMessage(message, []), email };
  });
  const conversationOf = (channel: Channel, token: unknown) => chatId(channel.id, visitorIdOf(token), channel.address);
  await visitorFiles(app, { router, queries, live, files, channelOf, available: async (channel) => (await status(channel)).available });
  await visitorReceipts(app, { router, queries, channelOf, conversationOf });
  await visitorOpened(app, { router, clock, channelOf, conversationOf });

  const perAddress = new Map<string, number>();
  app.get<{ Params: { accountId: string; channelId: string } }>('/:accountId/:channelId/socket', { websocket: true, schema: { hide: true } }, (socket, req) => {
    // One client may hold a few sockets (tabs), not the process's file descriptors: past the cap
    // the socket is closed at once; one that does not say hello in time goes too.
    const open = perAddress.get(req.ip) ?? 0;
    if (open >= SOCKETS_PER_ADDRESS) {
      socket.close(4429, `too many chat sockets from this address (at most ${SOCKETS_PER_ADDRESS})`);
      return;
    }
    perAddress.set(req.ip, open + 1);
    socket.once('close', () => {
      const left = (perAddress.get(req.ip) ?? 1) - 1;
      if (left > 0) perAddress.set(req.ip, left);
      else perAddress.delete(req.ip);
    });
    // The token comes as the first message rather than in the URL, so it stays out of access logs.
    const timeout = setTimeout(() => socket.close(4401, 'say hello with the visitor token'), HELLO_WITHIN_MS);
    socket.once('message', (data: Buffer) => {
      clearTimeout(timeout);
      void (async () => {
        try {
          const hello = JSON.parse(data.toString('utf8')) as { type?: unknown; token?: unknown };
          if (hello.type !== 'hello') throw new BatonError('validation_failed', 'The first message must be {"type":"hello","token":"…"}.');
          const channel = await channelOf(req.params.accountId, req.params.channelId);
          const conversationId = chatId(channel.id, visitorIdOf(hello.token), channel.address);
          hub.add(channel.accountId, conversationId, socket);
        } catch (err) {
          socket.close(4400, isBatonError(err) ? err.message.slice(0, 120) : 'bad hello');
        }
      })();
    });
  });
}
