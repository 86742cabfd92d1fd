import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { batonError, type BodyCase, casesFor, encode, type Endpoint, fuzzEndpoint, type FuzzResponse, garbage, JSON_TYPES, oversize, refusedBodies, TIMEOUT_MS, truncatedOf, withBadUtf8, withDeepNesting } from './fuzz-kit.js';
import { startFuzzWorld, type FuzzWorld } from './fuzz-world.js';
import { anyJson, anyText, checkedValidOf, invalidOf, isValid, type Schema } from './schema-arbitraries.js';

/** README "The inbox and the web chat" and docs/errors.md: Baton's errors, 409 chat_unavailable for the chat, 403 for a missing CSRF token. */
const CHAT = [400, 401, 404, 409, 413, 415] as const;
const LOGIN = [400, 401, 413, 415] as const;
const INBOX = [400, 401, 403, 404, 409, 413, 415] as const;

// The inbox's routes are hidden from the OpenAPI document; these are their bodies as the handlers declare them.
const Id: Schema = { type: 'string', minLength: 1, maxLength: 200 };
const LoginBody: Schema = { type: 'object', required: ['account', 'agent', 'password'], properties: { account: Id, agent: Id, password: { type: 'string', minLength: 1, maxLength: 1024 } }, additionalProperties: false };
const ReplyBody: Schema = { type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 8000 } }, additionalProperties: false };
const HandbackBody: Schema = { type: 'object', properties: { flow: { type: 'string', maxLength: 200 }, step: { type: 'string', maxLength: 200 } }, additionalProperties: false };
const TransferBody: Schema = { type: 'object', required: ['team'], properties: { team: { anyOf: [Id, { type: 'null' }] } }, additionalProperties: false };
const PresenceBody: Schema = { type: 'object', required: ['presence'], properties: { presence: { anyOf: [{ const: 'online', type: 'string' }, { const: 'away', type: 'string' }, { const: 'offline', type: 'string' }] } }, additionalProperties: false };
const EmergencyBody: Schema = { type: 'object', required: ['on'], properties: { on: { type: 'boolean' }, handBack: { anyOf: ['tell_bots', 'quietly', 'keep_with_agents'].map((v) => ({ const: v })) } }, additionalProperties: false };
const Empty: Schema = { type: 'object', properties: {}, additionalProperties: false };

function schemaBodies(schema: Schema, extra: fc.Arbitrary<{ body: unknown; what: string }>[] = []): fc.Arbitrary<BodyCase> {
  return refusedBodies({
    valid: checkedValidOf(schema),
    invalid: fc.oneof(invalidOf(schema), ...extra),
    emptyRefused: true,
    nonObjectRefused: true,
    otherTypesRefused: true,
    stillInvalid: (b) => !isValid(schema, b),
  });
}

function unparseable(): fc.Arbitrary<BodyCase> {
  const anyObject = fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 4, noNullPrototype: true });
  return fc.tuple(fc.oneof(garbage, truncatedOf(anyObject), withBadUtf8(anyObject), withDeepNesting(anyObject), oversize(anyObject), fc.constant({ body: Buffer.alloc(0), what: 'an empty body' })), fc.constantFrom(...JSON_TYPES))
    .map(([b, contentType]) => ({ ...b, contentType }));
}

function okOrError(status: number, res: FuzzResponse): string | null {
  if (status === 200) return res.json && typeof res.json === 'object' ? null : 'a 200 must be a JSON object';
  return batonError(status, res);
}

describe('fuzzing the web chat visitor routes and the inbox', () => {
  let w: FuzzWorld;
  beforeAll(async () => {
    w = await startFuzzWorld();
  }, 60_000);
  afterAll(async () => w?.s.close());

  const endpoints = async (): Promise<Endpoint[]> => {
    const doc = (await w.s.call('GET', '/openapi.json')).body;
    const sendBody = doc.paths['/chat/api/{accountId}/{channelId}/messages'].post.requestBody.content['application/json'].schema as Schema;
    const openedBody = doc.paths['/chat/api/{accountId}/{channelId}/opened'].post.requestBody.content['application/json'].schema as Schema;
    const visitorAuth = { 'x-visitor-token': w.a.webchatVisitorToken };
    const badVisitor = fc.constantFrom<Record<string, string>>({}, { 'x-visitor-token': 'short' }, { 'x-visitor-token': 'x'.repeat(129) }, { 'x-visitor-token': `${'a'.repeat(31)}!` });
    const session = { cookie: w.a.inbox.cookie, 'x-csrf-token': w.a.inbox.csrf };
    const badSession = fc.constantFrom<Record<string, string>>({}, { cookie: w.a.inbox.cookie }, { cookie: w.a.inbox.cookie, 'x-csrf-token': 'wrong' }, { cookie: 'baton_session=forged', 'x-csrf-token': w.a.inbox.csrf }, { cookie: w.b.inbox.cookie, 'x-csrf-token': w.a.inbox.csrf });
    const conv = { id: w.a.engageThread };
    const inbox = (method: string, route: string, params: Record<string, string>, bodies: fc.Arbitrary<BodyCase>): Endpoint => ({
      route: `${method} ${route}`,
      cases: casesFor({ method, route, params, auth: session, badAuth: badSession, bodies }),
      statuses: INBOX,
      shape: batonError,
    });
    // Valid in shape, refused by who asks: an agent or account of no one, or alice with a wrong password.
    const wrongLogin = fc.tuple(fc.constantFrom('acme', 'globex', 'nobody'), fc.constantFrom('alice', 'bob', 'carol'), anyText(30).filter((p) => p.length > 0 && p !== w.ca.alicePassword && p !== w.ca.bobPassword))
      .map(([account, agent, password]) => ({ body: { account, agent, password }, what: `wrong credentials for ${agent}@${account}` }));
    return [
      {
        route: 'POST /chat/api/:accountId/:channelId/messages',
        cases: casesFor({ method: 'POST', route: '/chat/api/:accountId/:channelId/messages', params: { accountId: 'acme', channelId: 'web' }, auth: visitorAuth, badAuth: badVisitor, bodies: schemaBodies(sendBody, [
          // Valid in shape, neither text nor a button press.
          fc.record({ id: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/) }).map((body) => ({ body, what: 'neither text nor postback' })),
        ]) }),
        statuses: CHAT,
        shape: batonError,
      },
      {
        route: 'POST /chat/api/:accountId/:channelId/opened',
        cases: casesFor({ method: 'POST', route: '/chat/api/:accountId/:channelId/opened', params: { accountId: 'acme', channelId: 'web' }, auth: visitorAuth, badAuth: badVisitor, bodies: schemaBodies(openedBody) }),
        statuses: CHAT,
        shape: batonError,
      },
      ...['history', 'status'].map((name): Endpoint => ({
        route: `GET /chat/api/:accountId/:channelId/${name}`,
        cases: casesFor({ method: 'GET', route: `/chat/api/:accountId/:channelId/${name}`, params: { accountId: 'acme', channelId: 'web' }, auth: visitorAuth, badAuth: badVisitor, bodies: fc.constant({ body: undefined, contentType: undefined, what: 'no body' }) }),
        statuses: [200, ...CHAT],
        shape: okOrError,
      })),
      {
        route: 'POST /inbox/api/login',
        cases: casesFor({ method: 'POST', route: '/inbox/api/login', params: {}, auth: {}, bodies: schemaBodies(LoginBody, [wrongLogin]) }),
        statuses: LOGIN,
        shape: batonError,
      },
      inbox('POST', '/inbox/api/conversations/:id/reply', conv, schemaBodies(ReplyBody)),
      inbox('POST', '/inbox/api/conversations/:id/take', conv, schemaBodies(Empty)),
      inbox('POST', '/inbox/api/conversations/:id/handback', conv, schemaBodies(HandbackBody, [
        fc.tuple(fc.constantFrom('flow', 'step'), anyText().filter((x) => x.trim().length > 0)).map(([k, v]) => ({ body: { [k]: v }, what: `a ${k} without the other` })),
      ])),
      inbox('POST', '/inbox/api/conversations/:id/transfer', conv, schemaBodies(TransferBody)),
      inbox('POST', '/inbox/api/conversations/:id/defer', conv, schemaBodies(Empty)),
      inbox('POST', '/inbox/api/conversations/:id/close', conv, schemaBodies(Empty)),
      inbox('PUT', '/inbox/api/presence', {}, schemaBodies(PresenceBody)),
      inbox('POST', '/inbox/api/admin/emergency', {}, schemaBodies(EmergencyBody)),
      inbox('POST', '/inbox/api/admin/components/:id/verify', { id: 'bot' }, unparseable()),
      inbox('POST', '/inbox/api/admin/deliveries/:id/replay', { id: w.a.deliveryId }, unparseable()),
      // Logging out with a session ends it: only refused requests (no session, no CSRF token, a body that is not JSON).
      {
        route: 'POST /inbox/api/logout',
        cases: fc.oneof(
          casesFor({ method: 'POST', route: '/inbox/api/logout', params: {}, auth: session, bodies: unparseable() }),
          fc.tuple(badSession, fc.oneof(unparseable(), fc.constant({ body: encode({}), contentType: 'application/json', what: 'an empty object' }))).map(([headers, b]) => ({ method: 'POST', path: '/inbox/api/logout', headers: { ...headers, 'content-type': b.contentType! }, ...(b.body ? { body: b.body } : {}), what: `${b.what}; credentials ${JSON.stringify(headers).slice(0, 80)}` })),
        ),
        statuses: INBOX,
        shape: batonError,
      },
    ];
  };

  const ROUTES = ['POST /chat/api/:accountId/:channelId/messages', 'POST /chat/api/:accountId/:channelId/opened', 'GET /chat/api/:accountId/:channelId/history', 'GET /chat/api/:accountId/:channelId/status', 'POST /inbox/api/login',
    ...['reply', 'take', 'handback', 'transfer', 'defer', 'close'].map((n) => `POST /inbox/api/conversations/:id/${n}`), 'PUT /inbox/api/presence', 'POST /inbox/api/admin/emergency',
    'POST /inbox/api/admin/components/:id/verify', 'POST /inbox/api/admin/deliveries/:id/replay', 'POST /inbox/api/logout'];

  it.each(ROUTES)('%s answers every refused request as documented and changes nothing', async (route) => {
    await fuzzEndpoint(w.s, (await endpoints()).find((e) => e.route === route)!);
  }, TIMEOUT_MS);
});
