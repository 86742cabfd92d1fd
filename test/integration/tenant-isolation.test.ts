import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSnapshot } from '../helpers/account-snapshot.js';
import { chatwootIds } from '../../src/dialects/chatwoot/chatwoot-ids.js';
import { allDialectsAccount, type AccountCredentials, credentialsOf, type SeededIds, seedAccount } from '../helpers/all-dialects.js';
import { openSocket } from '../helpers/inbox-client.js';
import { routesOf } from '../helpers/routes.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { png, upload } from '../helpers/sample-files.js';

/**
 * Account A's credentials never reach account B. Every route of every dialect is in the table
 * below (a test compares it with the routes the running server has, so a new route without a case
 * fails); each case calls the route with A's credentials (API key, Engage token, CM product token,
 * IMI webhook token, inbox session, web chat visitor token, Omnichannel token) on B's ids and
 * expects the dialect's documented not-found (or, where the credentials are scoped to an account
 * in the path, its unauthorized) answer, with B's data exactly as it was. Routes without an id
 * return only A's data; public routes say why they are public.
 */

interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Res {
  status: number;
  text: string;
  json: any;
  /** The session cookie a login set, as a browser would send it back. */
  cookie: string;
}

interface Ctx {
  s: TestServer;
  a: SeededIds;
  b: SeededIds;
  ca: AccountCredentials;
  cb: AccountCredentials;
  /** A's API key, Engage token, inbox session (with its CSRF token), visitor token. */
  key: Record<string, string>;
  engage: Record<string, string>;
  inbox: Record<string, string>;
  /** Strings only account B's data contains: ids of its conversations, messages, deliveries, sessions, and its own names. */
  markers: string[];
}

type Shape = 'baton' | 'engage' | 'cm' | 'sunco' | 'chatwoot';

type Case =
  /** Serves no account's data (documentation, health, static files), or is public by design: why. */
  | { public: string }
  /** B's ids with A's credentials: the documented refusal. */
  | { refused: (x: Ctx) => Req[] | Promise<Req[]>; status: number; code: string | number; shape: Shape }
  /** No id: answers 200 with A's data only. */
  | { list: (x: Ctx) => Req[] | Promise<Req[]> }
  /** Acts on the caller's own account (a switch, its own presence, its own login): answers 2xx, B unchanged. */
  | { own: (x: Ctx) => Req[] | Promise<Req[]> }
  /** Public routes addressed by a token rather than an API key, and sockets: their own check. */
  | { custom: (x: Ctx) => Promise<void> };

const B_ONLY = { channel: 'b-only-channel', component: 'b-only-bot', agent: 'b-only-agent', category: 'B-ONLY-CATEGORY', team: 'b-only-team' };

async function call(s: TestServer, r: Req): Promise<Res> {
  const raw = r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const res = await fetch(s.url + r.path, { method: r.method, headers: { ...(raw !== undefined ? { 'content-type': 'application/json' } : {}), ...r.headers }, ...(raw !== undefined ? { body: raw } : {}), redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
}

function codeOf(shape: Shape, json: any): unknown {
  if (shape === 'baton') return json?.error?.code;
  if (shape === 'engage') return json?.error;
  if (shape === 'sunco') return json?.errors?.[0]?.code;
  if (shape === 'chatwoot') return json?.code;
  return json?.errorCode;
}

const conv = (x: Ctx) => [x.b.webchatConversation, x.b.engageThread, x.b.cmChat, x.b.imiConversation, x.b.omniConversation, x.b.suncoConversation, x.b.chatwootConversation];
const v1 = (x: Ctx, method: string, path: string, body?: unknown): Req => ({ method, path, headers: x.key, ...(body !== undefined ? { body } : {}) });
const inboxReq = (x: Ctx, method: string, path: string, body?: unknown): Req => ({ method, path, headers: x.inbox, ...(body !== undefined ? { body } : {}) });
const engageReq = (x: Ctx, method: string, path: string, body?: unknown): Req => ({ method, path, headers: x.engage, ...(body !== undefined ? { body } : {}) });
const onEachConversation = (method: string, suffix: string, body?: unknown) => (x: Ctx) => conv(x).map((id) => v1(x, method, `/v1/conversations/${id}${suffix}`, body));
const onEachInboxConversation = (suffix: string, body?: unknown) => (x: Ctx) => conv(x).map((id) => inboxReq(x, 'POST', `/inbox/api/conversations/${id}${suffix}`, body));
const cmControl = (name: string, body: (x: Ctx) => unknown) => (x: Ctx): Req[] => [
  // A's product token and A's API key, on B's account: the credentials are of another account.
  { method: 'POST', path: `/conversational/control/v1/accounts/globex/sessions/${name}`, headers: { 'x-cm-producttoken': x.ca.cmBotToken }, body: body(x) },
  { method: 'POST', path: `/conversational/control/v1/accounts/globex/sessions/${name}`, headers: { 'x-cm-producttoken': x.ca.cmDeskToken }, body: body(x) },
  { method: 'POST', path: `/conversational/control/v1/accounts/globex/sessions/${name}`, headers: { authorization: `Bearer ${x.ca.apiKey}` }, body: body(x) },
];
/** A's Chatwoot bot on A's own account path, with B's conversations' integer ids (and B's Baton ids): not found. */
const chatwootReq = (x: Ctx, suffix: string, body?: unknown) => [x.b.chatwootConversationNumber, ...conv(x)].map((id): Req => ({
  method: body === undefined ? 'GET' : 'POST', path: `/api/v1/accounts/${chatwootIds.account('acme')}/conversations/${id}${suffix}`, headers: { api_access_token: x.ca.chatwootToken }, ...(body !== undefined ? { body } : {}),
}));
/**
 * A's sunco key on B's conversations: under B's app id the key is of another app (401), under A's
 * own app B's conversations are not there (404). Both in the Sunshine shape, B unchanged.
 */
const suncoRefused = (method: string, suffix: string, body?: unknown, own = false) => (x: Ctx): Req[] => {
  const authorization = `Basic ${Buffer.from(`${x.ca.suncoKey.id}:${x.ca.suncoKey.secret}`).toString('base64')}`;
  // Under A's own app, B's CM chat id is left out: CM chat ids are derived from the numbers, and the
  // bmproxy case below lets A's bot open a chat of A's own with B's customer, under the same id.
  const ids = own ? conv(x).filter((id) => id !== x.b.cmChat) : conv(x);
  return ids.map((id) => ({ method, path: `/v2/apps/${own ? 'acme' : 'globex'}/conversations/${id}${suffix}`, headers: { authorization }, ...(body !== undefined ? { body } : {}) }));
};
const suncoCases = (method: string, suffix: string, body?: unknown): [string, Case][] => [
  [`${method} /v2/apps/:appId/conversations/:conversationId${suffix}`, { refused: suncoRefused(method, suffix, body), status: 401, code: 'unauthorized', shape: 'sunco' }],
];
/** The same routes with A's key under A's own app id: B's conversations are not found. */
const SUNCO_OWN_APP: [string, string, unknown?][] = [
  ['GET', ''], ['GET', '/messages'], ['POST', '/messages', { author: { type: 'business' }, content: { type: 'text', text: 'over the fence' } }],
  ['POST', '/passControl', { switchboardIntegration: 'next' }], ['POST', '/offerControl', { switchboardIntegration: 'next' }], ['POST', '/acceptControl', {}], ['POST', '/releaseControl'],
];
const DOCS = 'the API documentation: the same for everyone, no account data';

/** Every route of the server, with how A is kept out of B through it. */
const CASES: Record<string, Case> = {
  'GET /docs': { public: DOCS },
  'GET /docs/': { public: DOCS },
  'GET /docs/static/index.html': { public: DOCS },
  'GET /docs/static/swagger-initializer.js': { public: DOCS },
  'GET /docs/*': { public: DOCS },
  'GET /docs/json': { public: DOCS },
  'GET /docs/yaml': { public: DOCS },
  'GET /openapi.json': { public: DOCS },
  'GET /healthz': { public: 'process health, no account data' },
  'GET /readyz': { public: 'store health, no account data' },
  'GET /metrics': { public: 'Prometheus figures for the operator (README "Delivery guarantees"); counts labelled by account, no content' },
  'GET *': { public: 'the built pages\' static files' },
  'GET /inbox': { public: 'the inbox page; everything it shows comes from /inbox/api with a session' },
  'GET /chat': { public: 'redirects to the first web chat page: the demo\'s way in, public like every chat page' },
  'GET /chat/widget.js': { public: 'the widget script' },
  'GET /chat/:accountId/:channelId': { public: 'a web chat page is public by design: it is what visitors of the business\'s site open (README "The inbox and the web chat")' },
  'GET /chat/:accountId/:channelId/frame': { public: 'the chat page the widget frames, public like the page' },
  'GET /chat/api/:accountId/:channelId/status': { public: 'whether the chat is answered now: what the widget shows on the business\'s public site' },

  // Native API: A's API key.
  'GET /v1/account': { list: (x) => [v1(x, 'GET', '/v1/account')] },
  'GET /v1/channels': { list: (x) => [v1(x, 'GET', '/v1/channels')] },
  'GET /v1/components': { list: (x) => [v1(x, 'GET', '/v1/components')] },
  'GET /v1/agents': { list: (x) => [v1(x, 'GET', '/v1/agents')] },
  'GET /v1/conversations': { list: (x) => ['', '?status=open', '?status=closed', '?controller=desk', '?team=billing', '?limit=500'].map((q) => v1(x, 'GET', `/v1/conversations${q}`)) },
  'GET /v1/audit': { list: (x) => ['', '?limit=500'].map((q) => v1(x, 'GET', `/v1/audit${q}`)) },
  'GET /v1/deliveries': { list: (x) => ['', `?conversationId=${x.b.engageThread}`, `?targetId=${B_ONLY.component}`, '?targetKind=channel', '?state=pending', '?limit=500'].map((q) => v1(x, 'GET', `/v1/deliveries${q}`)) },
  'POST /v1/channels/:channelId/messages': { refused: (x) => [v1(x, 'POST', `/v1/channels/${B_ONLY.channel}/messages`, { customer: 'someone', text: 'hi' })], status: 404, code: 'channel_not_found', shape: 'baton' },
  'POST /v1/channels/:channelId/activation': { refused: (x) => [v1(x, 'POST', `/v1/channels/${B_ONLY.channel}/activation`, { active: false })], status: 404, code: 'channel_not_found', shape: 'baton' },
  'POST /v1/channels/:channelId/emergency': { refused: (x) => [v1(x, 'POST', `/v1/channels/${B_ONLY.channel}/emergency`, { on: true })], status: 404, code: 'channel_not_found', shape: 'baton' },
  'GET /v1/conversations/:id': { refused: onEachConversation('GET', ''), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'GET /v1/conversations/:id/events': { refused: onEachConversation('GET', '/events?after=0'), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'GET /v1/conversations/:id/messages': { refused: onEachConversation('GET', '/messages'), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/replies': { refused: onEachConversation('POST', '/replies', { componentId: 'bot', text: 'over the fence' }), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/handover': { refused: onEachConversation('POST', '/handover', { note: 'x' }), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/takeover': { refused: onEachConversation('POST', '/takeover', {}), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/handback': { refused: onEachConversation('POST', '/handback', {}), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/position': { refused: onEachConversation('POST', '/position', { flow: 'f', step: 's' }), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/reset': { refused: onEachConversation('POST', '/reset', {}), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/mutations': { refused: onEachConversation('POST', '/mutations', { mutations: [{ componentId: 'bot', enabled: false }] }), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/assign': { refused: onEachConversation('POST', '/assign', { agentId: 'alice' }), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/transfer': { refused: onEachConversation('POST', '/transfer', { team: null }), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/defer': { refused: onEachConversation('POST', '/defer', {}), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /v1/conversations/:id/close': { refused: onEachConversation('POST', '/close', {}), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'GET /v1/components/:componentId/health': { refused: (x) => [v1(x, 'GET', `/v1/components/${B_ONLY.component}/health`)], status: 404, code: 'component_not_found', shape: 'baton' },
  'POST /v1/components/:componentId/verify': { refused: (x) => [v1(x, 'POST', `/v1/components/${B_ONLY.component}/verify`)], status: 404, code: 'component_not_found', shape: 'baton' },
  'POST /v1/components/:componentId/replay': { refused: (x) => [v1(x, 'POST', `/v1/components/${B_ONLY.component}/replay`, { since: '2000-01-01T00:00:00Z' })], status: 404, code: 'component_not_found', shape: 'baton' },
  'PUT /v1/agents/:agentId/presence': { refused: (x) => [v1(x, 'PUT', `/v1/agents/${B_ONLY.agent}/presence`, { presence: 'offline' })], status: 404, code: 'agent_not_found', shape: 'baton' },
  'POST /v1/emergency': { own: (x) => [v1(x, 'POST', '/v1/emergency', { on: true }), v1(x, 'POST', '/v1/emergency', { on: false })] },
  'GET /v1/deliveries/:deliveryId': { refused: (x) => [v1(x, 'GET', `/v1/deliveries/${x.b.deliveryId}`)], status: 404, code: 'delivery_not_found', shape: 'baton' },
  'POST /v1/deliveries/:deliveryId/replay': { refused: (x) => [v1(x, 'POST', `/v1/deliveries/${x.b.deliveryId}/replay`)], status: 404, code: 'delivery_not_found', shape: 'baton' },
  'POST /v1/messages/:messageId/status': { refused: (x) => [v1(x, 'POST', `/v1/messages/${x.b.engageBotContent}/status`, { status: 'read' })], status: 404, code: 'message_not_found', shape: 'baton' },
  'GET /v1/conversations/:id/export': { refused: onEachConversation('GET', '/export'), status: 404, code: 'conversation_not_found', shape: 'baton' },
  // B's customers are not A's: A's key finds none of them, and erases nothing.
  'GET /v1/customers/:customer/export': { refused: (x) => [v1(x, 'GET', `/v1/customers/${encodeURIComponent('b-imi-customer')}/export`)], status: 404, code: 'customer_not_found', shape: 'baton' },
  'POST /v1/customers/:customer/erase': { refused: (x) => [v1(x, 'POST', `/v1/customers/${encodeURIComponent('b-imi-customer')}/erase`)], status: 404, code: 'customer_not_found', shape: 'baton' },

  // IMI: A's webhook token names A's integration; B's BOT conversation ids are not found through it.
  'POST /imi/webhook/:token': {
    refused: (x) => [
      { Conversationid: x.b.imiBotSession, Message: 'over the fence', MessageType: 'text' },
      { eventid: '1001', conversation_id: x.b.imiBotSession, message: 'take it' },
      { eventid: '1002', conversation_id: x.b.imiBotSession },
      { Conversationid: x.b.imiConversation, Message: 'by chat id' },
    ].map((body) => ({ method: 'POST', path: `/imi/webhook/${x.ca.imiToken}`, body })),
    status: 404,
    code: 'conversation_not_found',
    shape: 'baton',
  },

  // Inbox: A's agent's session and CSRF token.
  'GET /inbox/api/session': { own: (x) => [inboxReq(x, 'GET', '/inbox/api/session')] },
  'GET /inbox/api/login-options': { public: 'the login form\'s defaults: an account id only when the server has one account' },
  'POST /inbox/api/login': { refused: (x) => [{ method: 'POST', path: '/inbox/api/login', body: { account: 'globex', agent: 'alice', password: x.ca.alicePassword } }, { method: 'POST', path: '/inbox/api/login', body: { account: 'globex', agent: B_ONLY.agent, password: x.ca.alicePassword } }], status: 401, code: 'unauthorized', shape: 'baton' },
  'POST /inbox/api/logout': {
    own: async (x) => {
      // A login of A's own, ended: B's logins stay.
      const login = await call(x.s, { method: 'POST', path: '/inbox/api/login', body: { account: 'acme', agent: 'bob', password: x.ca.bobPassword } });
      expect(login.status).toBe(200);
      return [{ method: 'POST', path: '/inbox/api/logout', headers: { cookie: login.cookie, 'x-csrf-token': login.json.csrfToken }, body: {} }];
    },
  },
  'GET /inbox/api/me': { list: (x) => [inboxReq(x, 'GET', '/inbox/api/me')] },
  'GET /inbox/api/agents': { list: (x) => [inboxReq(x, 'GET', '/inbox/api/agents')] },
  'PUT /inbox/api/presence': { own: (x) => [inboxReq(x, 'PUT', '/inbox/api/presence', { presence: 'online' })] },
  'GET /inbox/api/conversations': { list: (x) => ['', '?status=open', '?status=closed'].map((q) => inboxReq(x, 'GET', `/inbox/api/conversations${q}`)) },
  // A's search finds nothing of B's, searched for by B's customers, names and words alike.
  'GET /inbox/api/search': { list: (x) => ['b-imi-customer', x.b.cmCustomer, B_ONLY.agent, 'hello'].flatMap((q) => ['', '&status=closed', '&assignee=unassigned'].map((f) => inboxReq(x, 'GET', `/inbox/api/search?q=${encodeURIComponent(q)}${f}`))) },
  'GET /inbox/api/conversations/:id/past': { refused: (x) => conv(x).map((id) => inboxReq(x, 'GET', `/inbox/api/conversations/${id}/past`)), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'GET /inbox/api/conversations/:id': { refused: (x) => conv(x).map((id) => inboxReq(x, 'GET', `/inbox/api/conversations/${id}`)), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /inbox/api/conversations/:id/reply': { refused: onEachInboxConversation('/reply', { text: 'over the fence' }), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /inbox/api/conversations/:id/take': { refused: onEachInboxConversation('/take', {}), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /inbox/api/conversations/:id/assign': { refused: onEachInboxConversation('/assign', { agentId: 'alice' }), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /inbox/api/conversations/:id/note': { refused: onEachInboxConversation('/note', { text: 'over the fence' }), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /inbox/api/conversations/:id/transfer': { refused: onEachInboxConversation('/transfer', { team: null }), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /inbox/api/conversations/:id/handback': { refused: onEachInboxConversation('/handback', {}), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /inbox/api/conversations/:id/defer': { refused: onEachInboxConversation('/defer', {}), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /inbox/api/conversations/:id/typing': { refused: onEachInboxConversation('/typing', {}), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'POST /inbox/api/conversations/:id/close': { refused: onEachInboxConversation('/close', {}), status: 404, code: 'conversation_not_found', shape: 'baton' },
  'GET /inbox/api/admin/overview': { list: (x) => [inboxReq(x, 'GET', '/inbox/api/admin/overview')] },
  'POST /inbox/api/admin/components/:id/verify': { refused: (x) => [inboxReq(x, 'POST', `/inbox/api/admin/components/${B_ONLY.component}/verify`, {})], status: 404, code: 'component_not_found', shape: 'baton' },
  'GET /inbox/api/admin/deliveries': { list: (x) => ['', `?targetId=${B_ONLY.component}`, '?state=pending'].map((q) => inboxReq(x, 'GET', `/inbox/api/admin/deliveries${q}`)) },
  'GET /inbox/api/admin/deliveries/:id': { refused: (x) => [inboxReq(x, 'GET', `/inbox/api/admin/deliveries/${x.b.deliveryId}`)], status: 404, code: 'delivery_not_found', shape: 'baton' },
  'POST /inbox/api/admin/deliveries/:id/replay': { refused: (x) => [inboxReq(x, 'POST', `/inbox/api/admin/deliveries/${x.b.deliveryId}/replay`, {})], status: 404, code: 'delivery_not_found', shape: 'baton' },
  'GET /inbox/api/admin/report': { custom: adminReport },
  'POST /inbox/api/admin/emergency': { own: (x) => [inboxReq(x, 'POST', '/inbox/api/admin/emergency', { on: true }), inboxReq(x, 'POST', '/inbox/api/admin/emergency', { on: false })] },
  'GET /inbox/api/admin/agents': { list: (x) => [inboxReq(x, 'GET', '/inbox/api/admin/agents')] },
  // A new agent in A's own account; B has none of that id, nor gets one.
  'POST /inbox/api/admin/agents': { own: (x) => [inboxReq(x, 'POST', '/inbox/api/admin/agents', { id: 'a-added-agent', password: 'a-added-password' })] },
  'POST /inbox/api/admin/agents/:id/password': { refused: (x) => [inboxReq(x, 'POST', `/inbox/api/admin/agents/${B_ONLY.agent}/password`, { password: 'over-the-fence' })], status: 404, code: 'agent_not_found', shape: 'baton' },
  'DELETE /inbox/api/admin/agents/:id': { refused: (x) => [inboxReq(x, 'DELETE', `/inbox/api/admin/agents/${B_ONLY.agent}`)], status: 404, code: 'agent_not_found', shape: 'baton' },
  'GET /inbox/api/admin/widget-looks': { list: (x) => [inboxReq(x, 'GET', '/inbox/api/admin/widget-looks')] },
  // Both accounts have a web chat channel "web": A's own changes, B's stays as it was.
  'PUT /inbox/api/admin/channels/:id/widget-look': { own: (x) => [inboxReq(x, 'PUT', '/inbox/api/admin/channels/web/widget-look', { color: '#1e3a8a', greeting: 'A only', position: 'bottom-left' })] },
  'GET /inbox/api/socket': { custom: inboxSocket },

  // Engage: A's bot's access token.
  'POST /1.0/interventions': { refused: (x) => [engageReq(x, 'POST', '/1.0/interventions', { content_id: x.b.engageCustomerContent })], status: 404, code: 'message_not_found', shape: 'engage' },
  'GET /1.0/interventions/:id': { refused: (x) => [x.b.workItem, x.b.agentSession].map((id) => engageReq(x, 'GET', `/1.0/interventions/${id}`)), status: 404, code: 'not_found', shape: 'engage' },
  'PUT /1.0/interventions/:id/close': { refused: (x) => [x.b.workItem, x.b.agentSession].map((id) => engageReq(x, 'PUT', `/1.0/interventions/${id}/close`)), status: 404, code: 'not_found', shape: 'engage' },
  'POST /1.0/contents': { refused: (x) => [engageReq(x, 'POST', '/1.0/contents', { body: 'over the fence', in_reply_to_id: x.b.engageCustomerContent }), engageReq(x, 'POST', '/1.0/contents', { body: 'x', in_reply_to_id: x.b.engageBotContent })], status: 404, code: 'message_not_found', shape: 'engage' },
  'GET /1.0/contents/:id': { refused: (x) => [x.b.engageCustomerContent, x.b.engageBotContent].map((id) => engageReq(x, 'GET', `/1.0/contents/${id}`)), status: 404, code: 'message_not_found', shape: 'engage' },
  'GET /1.0/content_threads/:id': { refused: (x) => conv(x).map((id) => engageReq(x, 'GET', `/1.0/content_threads/${id}`)), status: 404, code: 'conversation_not_found', shape: 'engage' },
  'PUT /1.0/content_threads/:id/update_categories': { refused: (x) => conv(x).map((id) => engageReq(x, 'PUT', `/1.0/content_threads/${id}/update_categories`, { thread_category_ids: ['AGENT'] })), status: 404, code: 'conversation_not_found', shape: 'engage' },
  'PUT /1.0/content_threads/:id/close': { refused: (x) => conv(x).map((id) => engageReq(x, 'PUT', `/1.0/content_threads/${id}/close`)), status: 404, code: 'conversation_not_found', shape: 'engage' },
  'GET /1.0/categories': { list: (x) => [engageReq(x, 'GET', '/1.0/categories?limit=150')] },
  'GET /1.0/status': { list: (x) => [engageReq(x, 'GET', '/1.0/status')] },
  'GET /1.0/users': { list: (x) => ['', `?category_id=${B_ONLY.category}`, `?team_id=${B_ONLY.team}`, '?limit=150'].map((q) => engageReq(x, 'GET', `/1.0/users${q}`)) },
  'GET /1.0/users/:id': { refused: (x) => [B_ONLY.agent, B_ONLY.component].map((id) => engageReq(x, 'GET', `/1.0/users/${id}`)), status: 404, code: 'agent_not_found', shape: 'engage' },

  // Chatwoot: A's agent bot's api_access_token.
  'GET /api/v1/accounts/:accountId/conversations/:conversationId': { refused: (x) => chatwootReq(x, ''), status: 404, code: 'conversation_not_found', shape: 'chatwoot' },
  'POST /api/v1/accounts/:accountId/conversations/:conversationId/messages': { refused: (x) => chatwootReq(x, '/messages', { content: 'over the fence' }), status: 404, code: 'conversation_not_found', shape: 'chatwoot' },
  'POST /api/v1/accounts/:accountId/conversations/:conversationId/toggle_status': { refused: (x) => chatwootReq(x, '/toggle_status', { status: 'open' }), status: 404, code: 'conversation_not_found', shape: 'chatwoot' },
  // Sunshine Conversations: A's sunco key (Basic keyId:secret).
  ...Object.fromEntries(SUNCO_OWN_APP.flatMap(([method, suffix, body]) => suncoCases(method, suffix, body))),

  // Web chat: the visitor token names a visitor, not an account; A's visitor sees nothing of B's visitor.
  'GET /chat/api/:accountId/:channelId/history': { custom: webchatHistory },
  'POST /chat/api/:accountId/:channelId/messages': { custom: webchatMessage },
  'GET /chat/api/:accountId/:channelId/socket': { custom: webchatSocket },
  'POST /chat/api/:accountId/:channelId/messages/:messageId/status': { custom: webchatReceipt },
  'POST /chat/api/:accountId/:channelId/offline': { custom: webchatOffline },
  'POST /chat/api/:accountId/:channelId/opened': { custom: webchatOpened },
  'POST /chat/api/:accountId/:channelId/files': { custom: webchatFile },
  'POST /inbox/api/conversations/:id/files': { custom: inboxFile },
  // Files: the id is the capability, but only under its own account's path.
  'GET /files/:accountId/:id/:name': { custom: fileDownload },

  // Omnichannel: A's webhook token names A's channel, whatever chat_id the body gives.
  'POST /connector/omnichannel/omnichannel_message/:token/bot_api_webhook': { custom: omnichannel },

  // CM: A's product token and A's API key on B's account id; A's own account with B's chat.
  'POST /conversational/bmproxy/v1/accounts/:accountId': { refused: (x) => bmProxy(x, ''), status: 400, code: 101, shape: 'cm' },
  'POST /conversational/bmproxy/v1/accounts/:accountId/v1.0/message': { refused: (x) => bmProxy(x, '/v1.0/message'), status: 400, code: 101, shape: 'cm' },
  'POST /conversational/control/v1/accounts/:accountId/sessions/mutations': { refused: cmControl('mutations', (x) => ({ ChatId: x.b.cmChat, Mutations: [{ $type: 'disableComponent', ComponentId: 'CmBot' }] })), status: 401, code: 'unauthorized', shape: 'baton' },
  'POST /conversational/control/v1/accounts/:accountId/sessions/positionrequests': { refused: cmControl('positionrequests', (x) => ({ ChatId: x.b.cmChat, FlowId: 'f', StepId: 's' })), status: 401, code: 'unauthorized', shape: 'baton' },
  'POST /conversational/control/v1/accounts/:accountId/sessions/:chatId/reset': { refused: (x) => cmControl(`${x.b.cmChat}/reset`, () => undefined)(x), status: 401, code: 'unauthorized', shape: 'baton' },
  'POST /conversational/channels/:accountId/:channelId/mo': {
    // A cm channel without an inbound token is open to CM's gateway by design (README "A cm channel"); B's guarded one refuses A's token.
    refused: (x) => [{ method: 'POST', path: `/conversational/channels/globex/guarded/mo?token=${x.ca.moToken}`, body: { from: { number: '+31600000099' }, to: { number: '+3197010203041' }, message: { text: 'over the fence' }, reference: 'iso-1' } }],
    status: 401,
    code: 'unauthorized',
    shape: 'baton',
  },
};

/** CM's control API with A's credentials on A's own account but B's chat: not found there. */
const CM_OWN_ACCOUNT: ((x: Ctx) => Req)[] = [
  (x) => ({ method: 'POST', path: '/conversational/control/v1/accounts/acme/sessions/mutations', headers: { 'x-cm-producttoken': x.ca.cmBotToken }, body: { ChatId: x.b.cmChat, Mutations: [{ $type: 'disableComponent', ComponentId: 'CmBot' }] } }),
  (x) => ({ method: 'POST', path: '/conversational/control/v1/accounts/acme/sessions/positionrequests', headers: { 'x-cm-producttoken': x.ca.cmBotToken }, body: { ChatId: x.b.cmChat, FlowId: 'f', StepId: 's' } }),
  (x) => ({ method: 'POST', path: `/conversational/control/v1/accounts/acme/sessions/${x.b.cmChat}/reset`, headers: { authorization: `Bearer ${x.ca.apiKey}` } }),
];

function bmProxy(x: Ctx, suffix: string): Req[] {
  const body = (token: string) => ({ messages: { authentication: { producttoken: token }, msg: [{ from: '+3197010203040', to: [{ number: x.b.cmCustomer }], body: { type: 'auto', content: 'over the fence' } }] } });
  return [
    { method: 'POST', path: `/conversational/bmproxy/v1/accounts/globex${suffix}`, body: body(x.ca.cmBotToken) },
    { method: 'POST', path: `/conversational/bmproxy/v1/accounts/globex${suffix}`, body: body(x.ca.cmDeskToken) },
    { method: 'POST', path: `/conversational/bmproxy/v1/accounts/globex${suffix}`, headers: { 'x-cm-producttoken': x.ca.cmBotToken }, body: { messages: { msg: body('').messages.msg } } },
  ];
}

async function inboxSocket(x: Ctx): Promise<void> {
  // B's agent's socket hears B's change (so changes do reach sockets); A's agent's socket does not.
  const bLogin = await call(x.s, { method: 'POST', path: '/inbox/api/login', body: { account: 'globex', agent: 'bob', password: x.cb.bobPassword } });
  expect(bLogin.status).toBe(200);
  // Closed when the server closes: a closed inbox sets its agent offline a minute later, which would change B under later cases.
  const aSocket = await openSocket(`${x.s.url}/inbox/api/socket`, { cookie: x.inbox.cookie!, origin: x.s.url });
  const bSocket = await openSocket(`${x.s.url}/inbox/api/socket`, { cookie: bLogin.cookie, origin: x.s.url });
  await aSocket.next((m) => m.topic === 'hello');
  await bSocket.next((m) => m.topic === 'hello');
  const put = await call(x.s, { method: 'PUT', path: '/inbox/api/presence', headers: { cookie: bLogin.cookie, 'x-csrf-token': bLogin.json.csrfToken }, body: { presence: 'online' } });
  expect(put.status).toBe(200);
  await bSocket.next((m) => m.topic === 'agents');
  await new Promise((r) => setTimeout(r, 300));
  expect(aSocket.messages.filter((m) => m.topic !== 'hello')).toEqual([]);
}

async function adminReport(x: Ctx): Promise<void> {
  // Each account's admin gets the figures of their own account's sessions and agents, nothing of the other's.
  const handedOver = async (accountId: string) => Number((await sql<{ n: number | string }>`select count(distinct conversation_id) as n from agent_sessions where account_id = ${accountId} and reason <> 'takeover'`.execute(x.s.baton.store.kysely)).rows[0]!.n);
  const before = await accountSnapshot(x.s, 'globex');
  for (const [accountId, headers] of [['acme', x.inbox], ['globex', { cookie: x.b.inbox.cookie }]] as const) {
    const res = await call(x.s, { method: 'GET', path: '/inbox/api/admin/report?period=30d', headers });
    expect(res.status, res.text).toBe(200);
    expect(res.json.handedOver).toBeGreaterThan(0);
    expect(res.json.handedOver).toBe(await handedOver(accountId));
    expect(res.json.agents.map((a: any) => a.id)).toEqual((await x.s.baton.queries.agents(accountId)).map((a) => a.id));
    if (accountId === 'acme') for (const m of x.markers) expect(res.text, `A's report mentions ${m}`).not.toContain(m);
    else expect(res.json.agents.map((a: any) => a.id)).toContain(B_ONLY.agent);
  }
  expect(await accountSnapshot(x.s, 'globex')).toEqual(before);
}

async function webchatHistory(x: Ctx): Promise<void> {
  // A's visitor token on B's chat names a visitor of B's who has written nothing: B's visitor's messages stay B's visitor's.
  const res = await call(x.s, { method: 'GET', path: '/chat/api/globex/web/history', headers: { 'x-visitor-token': x.a.webchatVisitorToken } });
  expect(res.status).toBe(200);
  expect(res.json.messages).toEqual([]);
  // The chat's title is the account's name, public on its page; no id of B's conversations or messages is.
  for (const m of x.markers.filter((m) => m !== 'globex')) expect(res.text).not.toContain(m);
  // And with B's visitor's token, the history is there (so the check above can fail).
  const own = await call(x.s, { method: 'GET', path: '/chat/api/globex/web/history', headers: { 'x-visitor-token': x.b.webchatVisitorToken } });
  expect(own.json.messages.length).toBeGreaterThan(0);
}

async function webchatMessage(x: Ctx): Promise<void> {
  // Writing on B's public chat with A's visitor token starts a chat of that visitor's, never B's visitor's.
  const before = await conversationRow(x, 'globex', x.b.webchatConversation);
  const res = await call(x.s, { method: 'POST', path: '/chat/api/globex/web/messages', headers: { 'x-visitor-token': x.a.webchatVisitorToken }, body: { id: 'isolation-1', text: 'hello' } });
  expect(res.status).toBe(201);
  expect(await conversationRow(x, 'globex', x.b.webchatConversation)).toEqual(before);
  const mine = await call(x.s, { method: 'GET', path: '/chat/api/globex/web/history', headers: { 'x-visitor-token': x.a.webchatVisitorToken } });
  expect(mine.json.messages.map((m: { content: { text: string } }) => m.content.text)).toEqual(['hello']);
}

async function webchatOpened(x: Ctx): Promise<void> {
  // Opening the widget on B's public chat with A's visitor token records nothing in B's visitor's chat.
  const before = await conversationRow(x, 'globex', x.b.webchatConversation);
  const res = await call(x.s, { method: 'POST', path: '/chat/api/globex/web/opened', headers: { 'x-visitor-token': x.a.webchatVisitorToken }, body: { referer: 'https://globex.example/' } });
  expect(res.status).toBe(204);
  expect(await conversationRow(x, 'globex', x.b.webchatConversation)).toEqual(before);
}

async function webchatFile(x: Ctx): Promise<void> {
  // A file sent on B's public chat with A's visitor token goes into that visitor's chat, never B's visitor's.
  const before = await conversationRow(x, 'globex', x.b.webchatConversation);
  const res = await upload(`${x.s.url}/chat/api/globex/web/files`, png(2, 2), 'image/png', 'a.png', { 'x-visitor-token': x.a.webchatVisitorToken });
  expect(res.status).toBe(201);
  expect(res.body.url).toContain('/files/globex/');
  expect(await conversationRow(x, 'globex', x.b.webchatConversation)).toEqual(before);
  const own = await call(x.s, { method: 'GET', path: '/chat/api/globex/web/history', headers: { 'x-visitor-token': x.b.webchatVisitorToken } });
  expect(own.json.messages.some((m: { content: { type: string } }) => m.content.type === 'media')).toBe(false);
}

async function inboxFile(x: Ctx): Promise<void> {
  // A's agent uploading to each of B's conversations: not found, and nothing stored anywhere.
  const before = await accountSnapshot(x.s, 'globex');
  const filesOfA = await accountSnapshot(x.s, 'acme');
  for (const id of conv(x)) {
    const res = await upload(`${x.s.url}/inbox/api/conversations/${id}/files`, png(2, 2), 'image/png', 'a.png', x.inbox);
    expect([res.status, res.body?.error?.code], id).toEqual([404, 'conversation_not_found']);
  }
  expect(await accountSnapshot(x.s, 'globex')).toEqual(before);
  expect((await accountSnapshot(x.s, 'acme'))['files']).toEqual(filesOfA['files']);
}

async function fileDownload(x: Ctx): Promise<void> {
  // B's visitor's file: under B's path it is served (so the refusal below can fail), under A's it is not there.
  const sent = await upload(`${x.s.url}/chat/api/globex/web/files`, png(3, 3), 'image/png', 'b.png', { 'x-visitor-token': x.b.webchatVisitorToken });
  expect(sent.status).toBe(201);
  const path = new URL(sent.body.url).pathname;
  expect((await fetch(x.s.url + path)).status).toBe(200);
  const res = await call(x.s, { method: 'GET', path: path.replace('/files/globex/', '/files/acme/') });
  expect([res.status, (res.json as any)?.error?.code]).toEqual([404, 'file_not_found']);
  expect(res.text).not.toContain(sent.body.id);
}

async function webchatOffline(x: Ctx): Promise<void> {
  // A message left on B's public chat with A's visitor token goes into that visitor's chat, never B's visitor's.
  const before = await conversationRow(x, 'globex', x.b.webchatConversation);
  const res = await call(x.s, { method: 'POST', path: '/chat/api/globex/web/offline', headers: { 'x-visitor-token': x.a.webchatVisitorToken }, body: { id: 'isolation-offline', email: 'a@example.com', text: 'call me back' } });
  expect(res.status).toBe(201);
  expect(res.json.email).toBe('a@example.com');
  expect(await conversationRow(x, 'globex', x.b.webchatConversation)).toEqual(before);
  const own = await call(x.s, { method: 'GET', path: '/chat/api/globex/web/history', headers: { 'x-visitor-token': x.b.webchatVisitorToken } });
  expect(own.json.humans.email ?? null).toBeNull();
  const bad = await call(x.s, { method: 'POST', path: '/chat/api/globex/web/offline', headers: { 'x-visitor-token': x.a.webchatVisitorToken }, body: { id: 'isolation-offline-2', email: 'not an address', text: 'x' } });
  expect(bad.status).toBe(400);
  expect(bad.json.error.code).toBe('validation_failed');
}

async function webchatReceipt(x: Ctx): Promise<void> {
  // A's visitor token reports on a message of B's visitor's chat: not found (not "the visitor's own"), on B's path or A's.
  const own = await call(x.s, { method: 'GET', path: '/chat/api/globex/web/history', headers: { 'x-visitor-token': x.b.webchatVisitorToken } });
  const ids = own.json.messages.map((m: { id: string }) => m.id) as string[];
  expect(ids.length).toBeGreaterThan(0);
  const before = await conversationRow(x, 'globex', x.b.webchatConversation);
  for (const path of ['/chat/api/globex/web', '/chat/api/acme/web']) {
    for (const id of ids) {
      const res = await call(x.s, { method: 'POST', path: `${path}/messages/${id}/status`, headers: { 'x-visitor-token': x.a.webchatVisitorToken }, body: { status: 'read' } });
      expect([res.status, res.json?.error?.code]).toEqual([404, 'message_not_found']);
    }
  }
  expect(await conversationRow(x, 'globex', x.b.webchatConversation)).toEqual(before);
}

async function webchatSocket(x: Ctx): Promise<void> {
  const path = `${x.s.url}/chat/api/globex/web/socket`;
  const intruder = await openSocket(path, {}, { type: 'hello', token: x.a.webchatVisitorToken });
  const owner = await openSocket(path, {}, { type: 'hello', token: x.b.webchatVisitorToken });
  try {
    await intruder.next((m) => m.type === 'ready');
    await owner.next((m) => m.type === 'ready');
    const sent = await call(x.s, { method: 'POST', path: '/chat/api/globex/web/messages', headers: { 'x-visitor-token': x.b.webchatVisitorToken }, body: { id: 'isolation-2', text: 'only mine' } });
    expect(sent.status).toBe(201);
    await owner.next((m) => m.type === 'message' && m.message.content.text === 'only mine');
    await new Promise((r) => setTimeout(r, 300));
    expect(intruder.messages.filter((m) => m.type !== 'ready')).toEqual([]);
  } finally {
    intruder.close();
    owner.close();
  }
}

async function omnichannel(x: Ctx): Promise<void> {
  // A's token names A's channel: B's chat id in the body makes a chat of A's, B's chat is untouched.
  const before = await accountSnapshot(x.s, 'globex');
  const res = await call(x.s, {
    method: 'POST',
    path: `/connector/omnichannel/omnichannel_message/${x.ca.omniToken}/bot_api_webhook`,
    body: { event: 'new_message', chat_id: x.b.omniChatId, visitor: { id: 'b-visitor' }, message: { id: 'isolation-omni-1', kind: 'visitor', text: 'over the fence' } },
  });
  expect(res.status).toBe(200);
  expect(res.json.status).toBe('accepted');
  expect(res.json.conversation_id).not.toBe(x.b.omniConversation);
  expect(await accountSnapshot(x.s, 'globex')).toEqual(before);
  const inA = await call(x.s, { method: 'GET', path: `/v1/conversations/${res.json.conversation_id}`, headers: x.key });
  expect(inA.json.conversation.channelId).toBe('app');
}

async function conversationRow(x: Ctx, accountId: string, id: string): Promise<unknown> {
  const { rows } = await sql`select * from conversations where account_id = ${accountId} and id = ${id}`.execute(x.s.baton.store.kysely);
  return rows[0];
}

function bAccount() {
  const b = allDialectsAccount('globex', 'b');
  return {
    ...b,
    teams: [...b.teams, { id: B_ONLY.team }],
    channels: [...b.channels, { id: B_ONLY.channel, kind: 'native' as const }],
    components: [...b.components, { id: B_ONLY.component, kind: 'bot' as const, url: 'http://127.0.0.1:9/b-only' }],
    agents: [...b.agents, { id: B_ONLY.agent, name: 'Only B', password: 'b-only-agent-password', teams: [B_ONLY.team], categories: [B_ONLY.category] }],
  };
}

describe('tenant isolation: account A\'s credentials on account B\'s ids', () => {
  let x: Ctx;

  beforeAll(async () => {
    const s = await startServer('sqlite', { accounts: [allDialectsAccount('acme', 'a'), bAccount()] });
    const a = await seedAccount(s, 'acme', 'a');
    const b = await seedAccount(s, 'globex', 'b');
    const ca = credentialsOf('a');
    const cb = credentialsOf('b');
    // B's agents online, so that a status or user list leaking B's agents would show them.
    for (const agent of ['alice', 'bob', B_ONLY.agent]) {
      const res = await call(s, { method: 'PUT', path: `/v1/agents/${agent}/presence`, headers: { authorization: `Bearer ${cb.apiKey}` }, body: { presence: 'online' } });
      expect(res.status).toBe(200);
    }
    const k = s.baton.store.kysely;
    const ids = async (table: string) => (await sql<{ id: string }>`select id from ${sql.table(table)} where account_id = 'globex'`.execute(k)).rows.map((r) => r.id);
    const markersOfB = [...new Set([...(await ids('conversations')), ...(await ids('messages')), ...(await ids('deliveries')), ...(await ids('agent_sessions')), ...(await ids('bot_sessions')), ...(await ids('work_items')), 'globex', ...Object.values(B_ONLY), b.cmCustomer, b.omniChatId])];
    x = {
      s, a, b, ca, cb,
      key: { authorization: `Bearer ${ca.apiKey}` },
      engage: { authorization: `Bearer ${ca.engageToken}` },
      inbox: { cookie: a.inbox.cookie, 'x-csrf-token': a.inbox.csrf },
      markers: markersOfB,
    };
  }, 60_000);
  afterAll(async () => x?.s.close());

  it('has a case for every route the server serves, and for no other', () => {
    const served = routesOf(x.s.baton.app).map((r) => `${r.method} ${r.url}`).sort();
    expect(Object.keys(CASES).sort()).toEqual(served);
  });

  it.each(Object.keys(CASES))('%s', async (route) => {
    const c = CASES[route]!;
    if ('public' in c) {
      expect(c.public.length).toBeGreaterThan(10);
      return;
    }
    if ('custom' in c) {
      await c.custom(x);
      return;
    }
    const before = await accountSnapshot(x.s, 'globex');
    const requests = await ('refused' in c ? c.refused(x) : 'list' in c ? c.list(x) : c.own(x));
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) {
      const res = await call(x.s, r);
      const where = `${r.method} ${r.path} answered ${res.status} ${res.text.slice(0, 300)}`;
      if ('refused' in c) {
        expect(res.status, where).toBe(c.status);
        expect(codeOf(c.shape, res.json), where).toBe(c.code);
      } else {
        expect(res.status, where).toBeGreaterThanOrEqual(200);
        expect(res.status, where).toBeLessThan(300);
      }
      // Nothing of B's in any answer, not its ids nor its names, but what the caller sent itself (a refusal may name the id it could not find).
      const sent = r.path + JSON.stringify(r.body ?? '');
      for (const m of x.markers) if (!sent.includes(m)) expect(res.text.includes(m), `${where} mentions ${m}`).toBe(false);
    }
    expect(await accountSnapshot(x.s, 'globex')).toEqual(before);
  });

  it('CM\'s control API with A\'s own account and B\'s chat id: not found', async () => {
    const before = await accountSnapshot(x.s, 'globex');
    for (const make of CM_OWN_ACCOUNT) {
      const res = await call(x.s, make(x));
      expect(res.status, res.text).toBe(404);
      expect(res.json.error.code).toBe('conversation_not_found');
    }
    const bm = await call(x.s, { method: 'POST', path: '/conversational/bmproxy/v1/accounts/acme', body: { messages: { authentication: { producttoken: x.ca.cmBotToken }, msg: [{ from: '+3197010203040', to: [{ number: x.b.cmCustomer }], body: { type: 'auto', content: 'over the fence' } }] } } });
    // B's customer's number is only a number to A: A's bot starts a chat of A's own with it (a bot
    // may write first), and nothing of B's chat is reached or changed.
    expect(bm.status, bm.text).toBe(200);
    expect(await accountSnapshot(x.s, 'globex')).toEqual(before);
  });

  it('Chatwoot\'s API with A\'s token on B\'s account id: unauthorized', async () => {
    const before = await accountSnapshot(x.s, 'globex');
    const path = `/api/v1/accounts/${chatwootIds.account('globex')}/conversations/${x.b.chatwootConversationNumber}`;
    for (const [method, suffix, body] of [['GET', '', undefined], ['POST', '/messages', { content: 'over the fence' }], ['POST', '/toggle_status', { status: 'resolved' }]] as const) {
      const res = await call(x.s, { method, path: path + suffix, headers: { api_access_token: x.ca.chatwootToken }, ...(body ? { body } : {}) });
      expect([res.status, res.json.code], res.text).toEqual([401, 'unauthorized']);
    }
    expect(await accountSnapshot(x.s, 'globex')).toEqual(before);
    const own = await call(x.s, { method: 'GET', path, headers: { api_access_token: x.cb.chatwootToken } });
    expect([own.status, own.json.id]).toEqual([200, x.b.chatwootConversationNumber]);
  });

  it('Sunshine Conversations with A\'s key under A\'s own app id and B\'s conversations: not found', async () => {
    const before = await accountSnapshot(x.s, 'globex');
    for (const [method, suffix, body] of SUNCO_OWN_APP) {
      for (const r of suncoRefused(method, suffix, body, true)(x)) {
        const res = await call(x.s, r);
        expect(res.status, `${r.method} ${r.path}: ${res.text}`).toBe(404);
        expect(res.json.errors[0].code).toBe('conversation_not_found');
      }
    }
    expect(await accountSnapshot(x.s, 'globex')).toEqual(before);
  });

  it('B\'s own credentials do reach B\'s ids (so every refusal above is about the account, not the id)', async () => {
    const key = { authorization: `Bearer ${x.cb.apiKey}` };
    for (const id of conv(x)) expect((await call(x.s, { method: 'GET', path: `/v1/conversations/${id}`, headers: key })).status).toBe(200);
    expect((await call(x.s, { method: 'GET', path: `/v1/deliveries/${x.b.deliveryId}`, headers: key })).status).toBe(200);
    expect((await call(x.s, { method: 'GET', path: `/v1/components/${B_ONLY.component}/health`, headers: key })).status).toBe(200);
    expect((await call(x.s, { method: 'GET', path: `/1.0/content_threads/${x.b.engageThread}`, headers: { authorization: `Bearer ${x.cb.engageToken}` } })).status).toBe(200);
    expect((await call(x.s, { method: 'GET', path: `/1.0/contents/${x.b.engageCustomerContent}`, headers: { authorization: `Bearer ${x.cb.engageToken}` } })).status).toBe(200);
    expect((await call(x.s, { method: 'GET', path: `/1.0/interventions/${x.b.workItem}`, headers: { authorization: `Bearer ${x.cb.engageToken}` } })).status).toBe(200);
    expect((await call(x.s, { method: 'GET', path: `/inbox/api/conversations/${x.b.engageThread}`, headers: { cookie: x.b.inbox.cookie } })).status).toBe(200);
    const mutations = await call(x.s, { method: 'POST', path: '/conversational/control/v1/accounts/globex/sessions/positionrequests', headers: { 'x-cm-producttoken': x.cb.cmBotToken }, body: { ChatId: x.b.cmChat, FlowId: 'f', StepId: 's' } });
    expect(mutations.status).toBe(200);
    const sunco = `Basic ${Buffer.from(`${x.cb.suncoKey.id}:${x.cb.suncoKey.secret}`).toString('base64')}`;
    expect((await call(x.s, { method: 'GET', path: `/v2/apps/globex/conversations/${x.b.suncoConversation}`, headers: { authorization: sunco } })).status).toBe(200);
    // And a list of B's shows B's markers: the list checks above can fail.
    const list = await call(x.s, { method: 'GET', path: '/v1/conversations', headers: key });
    expect(x.markers.some((m) => list.text.includes(m))).toBe(true);
  });
});
