import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { BatonError, isBatonError } from '../core/errors.js';
import type { ConversationView, Queries } from '../core/queries.js';
import type { ConversationDigests } from './conversation-digests.js';
import type { AssigneeFilter, ConversationSearch } from './conversation-search.js';
import { conversationCard } from './inbox-views.js';
import { inboxScope } from './inbox-scope.js';
import type { LoginSession } from './login-sessions.js';

const MIN_CHARS = 2;
const PAST_LIMIT = 20;

const SearchQuerystring = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
  /** `me`, `unassigned`, or an agent's id. */
  assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
}, { additionalProperties: false });
const ConvParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export interface InboxSearchDeps {
  queries: Queries;
  search: ConversationSearch;
  digests: ConversationDigests;
}

/**
 * Finding conversations in the agent's own account: by the visitor's name or email, the customer's
 * address or the text of a message, narrowed by assignee and status, recent ones first; and the
 * customer's other conversations for the details panel.
 */
export async function inboxSearchRoutes(app: FastifyInstance, deps: InboxSearchDeps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { queries, search, digests } = deps;
  const me = (req: FastifyRequest): LoginSession => req.login!;
  // A conversation found a moment ago may be gone by now (removed by retention): it is left out, not a failed search.
  const found = async (accountId: string, id: string): Promise<ConversationView | null> => {
    try {
      return await queries.conversation(accountId, id);
    } catch (err) {
      if (isBatonError(err) && err.code === 'conversation_not_found') return null;
      throw err;
    }
  };

  api.get('/search', { schema: { hide: true, querystring: SearchQuerystring } }, async (req) => {
    const login = me(req);
    const text = req.query.q?.trim() ?? '';
    if (text.length > 0 && text.length < MIN_CHARS) throw new BatonError('validation_failed', `Search for at least ${MIN_CHARS} characters.`, { problems: [{ path: '/q', message: `must have at least ${MIN_CHARS} characters` }] });
    const assignee = await assigneeOf(queries, login, req.query.assignee);
    const page = await search.search(login.accountId, {
      ...(text ? { text } : {}),
      ...(req.query.status ? { status: req.query.status } : {}),
      ...(assignee ? { assignee } : {}),
      ...(req.query.after ? { after: req.query.after } : {}),
      limit: req.query.limit ?? 20,
    });
    const [agents, scope] = await Promise.all([queries.agents(login.accountId), inboxScope(queries, login)]);
    const items = await Promise.all(page.hits.map(async (h) => {
      const c = await found(login.accountId, h.conversationId);
      return c && scope.reads(c) && { ...conversationCard(c, agents, await digests.of(c)), match: { field: h.field, snippet: h.snippet } };
    }));
    return { items: items.filter((i) => i !== null && i !== false), next: page.next, scanned: page.scanned };
  });

  api.get('/conversations/:id/past', { schema: { hide: true, params: ConvParams } }, async (req) => {
    const login = me(req);
    const conv = await queries.conversation(login.accountId, req.params.id);
    const scope = await inboxScope(queries, login);
    scope.requireReadable(conv);
    const byCustomer = await search.customerConversations(login.accountId, conv.customer, PAST_LIMIT + 1);
    // A web chat visitor is a new customer in every browser: the email they left ties their
    // conversations together, as far back as a search reaches. It is what they typed, so the
    // card says the match came from it.
    const email = typeof conv.visitor.email === 'string' ? conv.visitor.email.trim().toLowerCase() : '';
    const byEmail = email.length > 1 ? (await search.search(login.accountId, { text: email, limit: PAST_LIMIT + 1 })).hits.filter((h) => h.field === 'email' && h.snippet?.trim().toLowerCase() === email).map((h) => h.conversationId) : [];
    const ids = [...new Set([...byCustomer, ...byEmail])].filter((id) => id !== conv.id);
    const agents = await queries.agents(login.accountId);
    const items = (await Promise.all(ids.map(async (id) => {
      const c = await found(login.accountId, id);
      return c && scope.reads(c) ? { ...conversationCard(c, agents, await digests.of(c)), sameEmail: c.customer !== conv.customer } : null;
    }))).filter((i) => i !== null);
    items.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
    return { items: items.slice(0, PAST_LIMIT) };
  });
}

/** `me` is the agent asking; a named agent must be one of the account's. */
async function assigneeOf(queries: Queries, login: LoginSession, raw: string | undefined): Promise<AssigneeFilter | null> {
  if (!raw) return null;
  if (raw === 'unassigned') return 'unassigned';
  if (raw === 'me') return { agentId: login.agentId };
  const known = (await queries.agents(login.accountId)).some((a) => a.id === raw);
  if (!known) throw new BatonError('validation_failed', `No agent ${raw} in this account: filter by \`me\`, \`unassigned\` or one of its agents' ids.`, { problems: [{ path: '/assignee', message: 'unknown agent' }] });
  return { agentId: raw };
}
