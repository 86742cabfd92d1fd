import type { FastifyRequest } from 'fastify';
import { BatonError } from '../../core/errors.js';
import type { Component } from '../../core/model.js';
import type { ConversationView, Queries } from '../../core/queries.js';
import { resolveToken } from '../../edge-kit/credential-resolver.js';
import { chatwootIds, parseChatwootId } from './chatwoot-ids.js';

/** The agent bot a call comes from: a `chatwoot` component, by its `secrets.accessToken`. */
export interface ChatwootBot {
  accountId: string;
  component: Component;
}

function tokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers['api_access_token'];
  if (typeof header === 'string' && header !== '') return header;
  const query = (req.query ?? {}) as Record<string, unknown>;
  return typeof query.api_access_token === 'string' && query.api_access_token !== '' ? query.api_access_token : undefined;
}

/**
 * The bot behind `api_access_token` (a header, as Chatwoot's clients send it, or the query
 * parameter Chatwoot also reads), on the account the path names: a token opens its own account only.
 */
export async function authenticate(req: FastifyRequest, queries: Queries, pathAccount: string): Promise<ChatwootBot> {
  const token = tokenOf(req);
  if (!token) throw new BatonError('unauthorized', 'Send the agent bot\'s access token as the `api_access_token` header.');
  // Found by its digest as an access token: a component's webhook token opens nothing here.
  const owner = await resolveToken(queries, 'access_token', token);
  const component = owner?.ownerKind === 'component' ? await queries.findComponent(owner.accountId, owner.ownerId) : null;
  if (!owner || !component || component.dialect !== 'chatwoot') {
    throw new BatonError('unauthorized', 'This api_access_token is not known; check the chatwoot component\'s secrets.accessToken.');
  }
  if (parseChatwootId(pathAccount) !== chatwootIds.account(owner.accountId)) {
    throw new BatonError('unauthorized', `This api_access_token is not one of account ${pathAccount}: the bot's account id is account.id in its webhooks.`);
  }
  return { accountId: owner.accountId, component };
}

/** A conversation of the bot's account by its Chatwoot id, one the bot takes part in. */
export async function botConversation(queries: Queries, bot: ChatwootBot, id: string): Promise<ConversationView> {
  const number = parseChatwootId(id);
  if (number === null) throw new BatonError('conversation_not_found', `No conversation ${id.slice(0, 40)} in this account: conversation ids are integers.`);
  const conv = await queries.conversationByNumber(bot.accountId, number);
  if (!(bot.component.id in conv.enabled)) throw new BatonError('conversation_not_found', `No conversation ${number} of the agent bot ${bot.component.id} in this account.`);
  return conv;
}
