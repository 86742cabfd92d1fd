import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../../core/errors.js';
import type { ControlRequest } from '../../core/control-types.js';
import type { ConversationView, Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import { authenticate, botConversation, type ChatwootBot } from './chatwoot-auth.js';
import { acceptChatwootBodies, chatwootParams, type ChatwootParams, flag, object, text } from './chatwoot-body.js';
import { batonContent } from './chatwoot-content.js';
import { chatwootIds } from './chatwoot-ids.js';
import { conversationObject, pushMessage } from './chatwoot-payloads.js';
import { type ChatwootStatus, chatwootStatus, isChatwootStatus } from './chatwoot-status.js';

export interface ChatwootDeps {
  router: Router;
  queries: Queries;
}

/** Message#content_type values (app/models/message.rb). */
const CONTENT_TYPES = new Set(['text', 'input_text', 'input_textarea', 'input_email', 'input_select', 'cards', 'form', 'article', 'incoming_email', 'input_csat', 'integrations', 'sticker']);

type Path = { accountId: string; conversationId: string };

/** What every handler starts from: the bot, on its account, in one of its conversations, and what it sent. */
async function call(req: FastifyRequest<{ Params: Path }>, queries: Queries): Promise<{ bot: ChatwootBot; conv: ConversationView; params: ChatwootParams }> {
  const bot = await authenticate(req, queries, req.params.accountId);
  const conv = await botConversation(queries, bot, req.params.conversationId);
  return { bot, conv, params: chatwootParams(req) };
}

/** What the bot's message is: its text and content, refused with the field at fault. */
function messageInput(p: ChatwootParams): { content: string; contentType: string; attrs: Record<string, unknown> } {
  if (p.files.length > 0) throw new BatonError('validation_failed', `attachments: Baton takes no uploaded files (${p.files[0]!.field} ${p.files[0]!.filename}); send a link in content instead.`);
  const type = text(p, 'message_type') ?? 'outgoing';
  if (type === 'incoming' || type === '0') throw new BatonError('validation_failed', 'message_type: an agent bot writes outgoing messages; the contact\'s come from its channel.');
  if (!['outgoing', 'template', '1', '3'].includes(type)) throw new BatonError('validation_failed', `message_type: must be outgoing or template, not ${type.slice(0, 40)}.`);
  const contentType = text(p, 'content_type') ?? 'text';
  if (!CONTENT_TYPES.has(contentType)) throw new BatonError('validation_failed', `content_type: ${contentType.slice(0, 40)} is not one of Chatwoot's (${[...CONTENT_TYPES].join(', ')}).`);
  const content = text(p, 'content');
  if (content === undefined || content.trim() === '') throw new BatonError('validation_failed', 'content: the message has no text.');
  return { content, contentType, attrs: object(p, 'content_attributes') };
}

/**
 * The commands `toggle_status` means, from the conversation's status now: `open` hands over to
 * the humans (or wakes a snoozed conversation), `pending` hands back to the bot, `resolved`
 * closes, `snoozed` defers the humans' session. A status the conversation has already is
 * answered as done, as Chatwoot does; a resolved conversation opens again only when the customer
 * writes.
 */
function toggle(conv: ConversationView, to: ChatwootStatus, by: string): ControlRequest | null {
  const from = chatwootStatus(conv);
  if (from === to) return null;
  if (from === 'resolved') throw new BatonError('invalid_transition', `Conversation ${chatwootIds.conversation(conv.id)} is resolved: the contact's next message opens it again.`);
  if (to === 'resolved') return { type: 'close', by };
  if (to === 'pending') return { type: 'handback', by };
  if (to === 'snoozed') return { type: 'defer' };
  if (from === 'pending') return { type: 'handover', by };
  // Snoozed: the agent who deferred it takes it up again.
  const agentId = conv.agentSession?.agentId;
  if (!agentId) throw new BatonError('invalid_transition', `Conversation ${chatwootIds.conversation(conv.id)} is snoozed with no agent: it opens again when an agent takes it.`);
  return { type: 'assign', agentId, reassign: true };
}

/**
 * Chatwoot's application API as an agent bot calls it (app/controllers/api/v1/accounts/
 * conversations/messages_controller.rb, conversations_controller.rb): each route authenticates
 * the bot's token on the path's account, calls one core command or query, renders Chatwoot's JSON.
 */
export async function chatwootRoutes(app: FastifyInstance, deps: ChatwootDeps): Promise<void> {
  const { router, queries } = deps;
  acceptChatwootBodies(app);
  const tags = ['chatwoot'];
  const base = '/accounts/:accountId/conversations/:conversationId';

  app.get<{ Params: Path }>(base, { schema: { tags, summary: 'The conversation, as Chatwoot shows it (status: pending while the bot holds it, open with the humans)' } }, async (req) => {
    const { conv } = await call(req, queries);
    return conversationObject(conv, null);
  });

  app.post<{ Params: Path }>(`${base}/messages`, { schema: { tags, summary: 'The bot\'s message to the contact (content, content_type, content_attributes, private: a note for the agents); JSON or multipart' } }, async (req) => {
    const { bot, conv, params } = await call(req, queries);
    const input = messageInput(params);
    if (flag(params, 'private')) {
      // A private note is for the agents only: it never reaches the contact, nor any bot.
      const out = await router.command(bot.accountId, conv.id, { type: 'add_note', agentId: bot.component.id, text: input.content }, undefined, { actor: req.actor });
      const added = out.events.find((e) => e.type === 'note.added');
      // A note is an event, not a message: its number is derived from the event's place in the log.
      const note = { accountId: bot.accountId, conversationId: conv.id, id: `${conv.id}#${added?.seq ?? 0}`, author: { kind: 'bot' as const, id: bot.component.id }, content: { type: 'text' as const, text: input.content }, channelMessageId: null, status: 'sent' as const, createdAt: added?.at ?? out.conversation.updatedAt };
      return { ...pushMessage(note, out.conversation), private: true };
    }
    const content = batonContent(input.content, input.contentType, input.attrs);
    // Chatwoot reports every message of the conversation to its bot, the bot's own included.
    const out = await router.reply(bot.accountId, conv.id, { componentId: bot.component.id, authorKind: 'bot', content, echoToAuthor: true }, undefined, req.actor);
    return pushMessage(out.message!, await queries.conversation(bot.accountId, conv.id));
  });

  app.post<{ Params: Path }>(`${base}/toggle_status`, { schema: { tags, summary: 'Set the status (open: hand over to the humans; pending: back to the bot; resolved; snoozed), or toggle open/resolved without one' } }, async (req) => {
    const { bot, conv, params } = await call(req, queries);
    const asked = text(params, 'status');
    if (asked !== undefined && !isChatwootStatus(asked)) throw new BatonError('validation_failed', `status: must be open, pending, resolved or snoozed, not ${asked.slice(0, 40)}.`);
    const now = chatwootStatus(conv);
    const to: ChatwootStatus = asked ?? (now === 'open' ? 'resolved' : 'open');
    const cmd = toggle(conv, to, bot.component.id);
    if (cmd) await router.command(bot.accountId, conv.id, cmd, undefined, { actor: req.actor });
    const after = await queries.conversation(bot.accountId, conv.id);
    return { meta: {}, payload: { success: true, current_status: chatwootStatus(after), conversation_id: chatwootIds.conversation(conv.id) } };
  });
}
