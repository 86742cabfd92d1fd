import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type BodyCase, casesFor, encode, engageError, type Endpoint, fuzzEndpoint, type FuzzResponse, garbage, hugeValue, invalidUtf8, JSON_TYPES, notAnObject, OTHER_TYPES, oversize, TIMEOUT_MS, truncatedOf, withBadUtf8, withDeepNesting } from './fuzz-kit.js';
import { startFuzzWorld, type FuzzWorld } from './fuzz-world.js';
import { anyJson, anyText } from './schema-arbitraries.js';

/** The Engage API's documented refusals (README "REST API"), all in Engage's error shape; 413 for a body over the limit, as everywhere. */
const ENGAGE = [400, 401, 403, 404, 409, 413] as const;

type Params = Record<string, unknown>;

/** A generated value as a form field's text: objects (some without a prototype) as their JSON. */
function formValue(x: unknown): string {
  return x !== null && typeof x === 'object' ? JSON.stringify(x) : String(x);
}

/** Parameters as a form body, the way `curl -d` sends them; lists as `name[]=`. */
function form(params: Params): Buffer {
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    for (const x of Array.isArray(v) ? v : [v]) pairs.push(`${encodeURIComponent(Array.isArray(v) ? `${k}[]` : k)}=${encodeURIComponent(formValue(x))}`);
  }
  return Buffer.from(pairs.join('&'));
}

/** Other parameters, never one the route reads. */
function others(reserved: string[]): fc.Arbitrary<Params> {
  const taken = new Set(reserved.flatMap((r) => [r, `${r}[]`]).concat(['access_token']));
  return fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => !taken.has(k)), fc.oneof({ weight: 9, arbitrary: anyJson }, { weight: 1, arbitrary: hugeValue }), { maxKeys: 3, noNullPrototype: true });
}

/** Values `param()` cannot read as one: objects, lists starting with one, null, empty. */
const unreadable = fc.oneof(fc.constant(null), fc.constant(''), fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 }), fc.array(fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 }), { minLength: 1, maxLength: 2 }), fc.constant([]));

/** Bodies whose encoding is broken, whatever they say: not JSON, not UTF-8, too deep, too large, a form that is not UTF-8. */
function brokenEncodings(valid: fc.Arbitrary<Params>): fc.Arbitrary<BodyCase> {
  const asJson = (arb: fc.Arbitrary<{ body: Buffer; what: string }>) => fc.tuple(arb, fc.constantFrom(...JSON_TYPES)).map(([b, contentType]) => ({ ...b, contentType }));
  const badForm = fc.tuple(valid, invalidUtf8, fc.boolean()).map(([p, bad, percent]) => {
    const body = Buffer.concat([form(p), Buffer.from(p && Object.keys(p).length ? '&x=' : 'x='), percent ? Buffer.from([...bad].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')) : bad]);
    return { body, contentType: 'application/x-www-form-urlencoded', what: `a form with ${percent ? 'percent-encoded ' : ''}invalid UTF-8 (${bad.toString('hex')})` };
  });
  return fc.oneof(
    asJson(garbage.filter(({ body }) => body.toString('utf8').trim() !== '')),
    asJson(truncatedOf(valid)),
    asJson(withBadUtf8(valid)),
    asJson(withDeepNesting(valid)),
    asJson(oversize(valid)),
    badForm,
  );
}

/** Bodies of a route with required parameters: missing or unreadable ones, in every encoding, and every broken encoding. */
function engageBodies(valid: fc.Arbitrary<Params>, invalid: fc.Arbitrary<{ params: Params; what: string; formToo?: boolean }>): fc.Arbitrary<BodyCase> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(invalid, fc.constantFrom(...JSON_TYPES)).map(([{ params, what }, contentType]) => ({ body: encode(params), contentType, what })) },
    { weight: 2, arbitrary: invalid.filter((x) => x.formToo === true).map(({ params, what }) => ({ body: form(params), contentType: 'application/x-www-form-urlencoded', what: `${what}, as a form` })) },
    { weight: 4, arbitrary: brokenEncodings(valid) },
    // Without parameters in the body: empty, not an object, or in a type Baton reads nothing from.
    { weight: 1, arbitrary: fc.tuple(fc.oneof(notAnObject, fc.constant({ body: Buffer.alloc(0), what: 'an empty body' })), fc.constantFrom(...JSON_TYPES)).map(([b, contentType]) => ({ ...b, contentType })) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(...OTHER_TYPES.filter((t) => !t.startsWith('application/x-www-form-urlencoded')))).map(([p, contentType]) => ({ body: encode(p), contentType, what: `the parameters sent as ${contentType}` })) },
  );
}

function engageShape(status: number, res: FuzzResponse): string | null {
  if (status >= 200 && status < 300) return res.json !== undefined && typeof res.json === 'object' && res.json !== null ? null : 'a 200 must be JSON';
  return engageError(status, res);
}

describe('fuzzing the Engage API (/1.0)', () => {
  let w: FuzzWorld;
  beforeAll(async () => {
    w = await startFuzzWorld();
  }, 60_000);
  afterAll(async () => w?.s.close());

  const endpoints = (): Endpoint[] => {
    const token = w.ca.engageToken;
    const auth = { authorization: `Bearer ${token}` };
    const badAuth = fc.constantFrom<Record<string, string>>({}, { authorization: 'Bearer not-an-engage-token' }, { authorization: `Bearer ${w.ca.imiToken}` }, { authorization: `Bearer ${w.ca.apiKey}` });
    const customerContent = w.a.engageCustomerContent;
    const thread = w.a.engageThread;
    const unknownId = fc.oneof(anyText().filter((x) => x.length > 0 && ![customerContent, w.a.engageBotContent, thread, w.a.workItem, w.a.agentSession].includes(x)), fc.constantFrom(w.b.engageCustomerContent, w.b.engageThread, w.b.workItem, w.b.agentSession));

    const interventionParams = fc.record({ content_id: fc.constant(customerContent) });
    const openIntervention = engageBodies(interventionParams, fc.oneof(
      others(['content_id']).map((params) => ({ params, what: 'no content_id', formToo: true })),
      fc.tuple(others(['content_id']), unreadable).map(([p, v]) => ({ params: { ...p, content_id: v }, what: 'an unreadable content_id' })),
      fc.tuple(others(['content_id']), unknownId).map(([p, v]) => ({ params: { ...p, content_id: v }, what: 'a content_id of no content of this domain', formToo: true })),
      others(['content_id']).map((p) => ({ params: { ...p, content_id: w.a.engageBotContent }, what: 'a content_id of the bot\'s own content', formToo: true })),
    ));

    const replyParams = fc.record({ body: anyText().filter((t) => t.length > 0), in_reply_to_id: fc.constant(customerContent) });
    const postContent = engageBodies(replyParams, fc.oneof(
      fc.tuple(others(['body', 'in_reply_to_id', 'author_id', 'source_id'])).map(([p]) => ({ params: { ...p, in_reply_to_id: customerContent }, what: 'no body', formToo: true })),
      fc.tuple(others(['body', 'in_reply_to_id', 'author_id', 'source_id']), unreadable).map(([p, body]) => ({ params: { ...p, body, in_reply_to_id: customerContent }, what: 'an unreadable body' })),
      fc.tuple(others(['body', 'in_reply_to_id', 'author_id', 'source_id']), unknownId, anyText()).map(([p, id, body]) => ({ params: { ...p, body: body || 'x', in_reply_to_id: id }, what: 'an in_reply_to_id of no content of this domain', formToo: true })),
      fc.tuple(others(['body', 'in_reply_to_id', 'author_id', 'source_id']), fc.constantFrom('mail', 'api', 'nope', 'web')).map(([p, source_id]) => ({ params: { ...p, body: 'hello', source_id }, what: 'no in_reply_to_id', formToo: true })),
      fc.tuple(others(['body', 'in_reply_to_id', 'author_id', 'source_id']), anyText().filter((a) => a !== 'engagebot')).map(([p, author_id]) => ({ params: { ...p, body: 'hello', in_reply_to_id: customerContent, author_id: author_id || 'someone' }, what: 'an author_id of another user', formToo: true })),
    ));

    const categoriesParams = fc.record({ thread_category_ids: fc.array(fc.constantFrom('BOT', 'AGENT', 'OTHER'), { maxLength: 2 }) });
    const wrongList = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 }), fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.constant({})), { minLength: 1, maxLength: 3 }), fc.tuple(fc.constant('BOT'), fc.integer()));
    const updateCategories = engageBodies(categoriesParams, fc.oneof(
      others(['thread_category_ids']).map((params) => ({ params, what: 'no thread_category_ids', formToo: true })),
      fc.tuple(others(['thread_category_ids']), fc.constantFrom('thread_category_ids', 'thread_category_ids[]'), wrongList).map(([p, k, v]) => ({ params: { ...p, [k]: v }, what: `${k} that are not strings` })),
    ));

    const anyParams = fc.dictionary(fc.string({ maxLength: 10 }).filter((k) => k !== 'access_token'), anyJson, { maxKeys: 3, noNullPrototype: true });
    const put = (route: string, params: Record<string, string>, bodies: fc.Arbitrary<BodyCase>, fuzzParams?: string[]): Endpoint => ({
      route: `PUT ${route}`,
      cases: casesFor({ method: 'PUT', route, params, auth, badAuth, bodies, ...(fuzzParams ? { fuzzParams } : {}) }),
      statuses: ENGAGE,
      shape: engageShape,
    });
    const post = (route: string, bodies: fc.Arbitrary<BodyCase>): Endpoint => ({
      route: `POST ${route}`,
      cases: casesFor({ method: 'POST', route, params: {}, auth, badAuth, bodies }),
      statuses: ENGAGE,
      shape: engageShape,
    });
    // A thread or intervention id of nobody's (or of the other domain) refuses any body; the right id refuses only a broken one.
    const anyBody = fc.tuple(anyParams, fc.constantFrom(...JSON_TYPES, 'application/x-www-form-urlencoded', 'text/plain')).map(([p, contentType]) => ({ body: contentType.includes('form') ? form(p) : encode(p), contentType, what: 'any parameters' }));
    const closeThreadCases = fc.oneof(
      casesFor({ method: 'PUT', route: '/1.0/content_threads/:id/close', params: { id: thread }, auth, badAuth, bodies: brokenEncodings(anyParams), fuzzParams: [] }),
      fc.tuple(unknownId, anyBody).map(([id, b]) => ({ method: 'PUT', path: `/1.0/content_threads/${encodeURIComponent(id)}/close`, headers: { ...auth, 'content-type': b.contentType }, body: b.body, what: `a thread of no one here; ${b.what}` })),
      fc.tuple(anyBody, badAuth).map(([b, credentials]) => ({ method: 'PUT', path: `/1.0/content_threads/${thread}/close`, headers: { ...credentials, 'content-type': b.contentType }, body: b.body, what: `credentials ${JSON.stringify(credentials)}` })),
    );
    // The humans' intervention has no agent reply yet: closing it is refused (403) whatever is sent.
    const closeIntervention = fc.oneof(
      casesFor({ method: 'PUT', route: '/1.0/interventions/:id/close', params: { id: w.a.agentSession }, auth, badAuth, bodies: fc.oneof(brokenEncodings(anyParams), anyBody) }),
      fc.tuple(unknownId, anyBody).map(([id, b]) => ({ method: 'PUT', path: `/1.0/interventions/${encodeURIComponent(id)}/close`, headers: { ...auth, 'content-type': b.contentType }, body: b.body, what: `an intervention of no one here; ${b.what}` })),
    );
    return [
      post('/1.0/interventions', openIntervention),
      post('/1.0/contents', postContent),
      put('/1.0/content_threads/:id/update_categories', { id: thread }, updateCategories),
      { route: 'PUT /1.0/content_threads/:id/close', cases: closeThreadCases, statuses: ENGAGE, shape: engageShape },
      { route: 'PUT /1.0/interventions/:id/close', cases: closeIntervention, statuses: ENGAGE, shape: engageShape },
    ];
  };

  it.each(['POST /1.0/interventions', 'POST /1.0/contents', 'PUT /1.0/content_threads/:id/update_categories', 'PUT /1.0/content_threads/:id/close', 'PUT /1.0/interventions/:id/close'])('%s answers every refused request as documented and changes nothing', async (route) => {
    await fuzzEndpoint(w.s, endpoints().find((e) => e.route === route)!);
  }, TIMEOUT_MS);

  it.each(['/1.0/interventions/:id', '/1.0/contents/:id', '/1.0/content_threads/:id', '/1.0/status', '/1.0/users', '/1.0/users/:id', '/1.0/categories'])('GET %s answers any query as documented and changes nothing', async (route) => {
    const ids: Record<string, string> = { interventions: w.a.workItem, contents: w.a.engageCustomerContent, content_threads: w.a.engageThread, users: 'me' };
    const query = fc.dictionary(fc.constantFrom('offset', 'limit', 'category_id', 'team_id', 'access_token', 'category_id[]', 'x'), fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent), fc.constantFrom('%ff', '1e400', '-1', 'NaN', '%', 'Infinity', '0x10', '999999999999999999999')), { maxKeys: 3 })
      .map((q) => (Object.keys(q).length ? `?${Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')}` : ''));
    await fuzzEndpoint(w.s, {
      route: `GET ${route}`,
      cases: casesFor({
        method: 'GET',
        route,
        params: { id: ids[route.split('/')[2]!] ?? '' },
        auth: { authorization: `Bearer ${w.ca.engageToken}` },
        badAuth: fc.constantFrom<Record<string, string>>({}, { authorization: 'Bearer nope' }),
        bodies: fc.constant({ body: undefined, contentType: undefined, what: 'no body' }),
        query,
      }),
      statuses: [200, ...ENGAGE],
      shape: engageShape,
    });
  }, TIMEOUT_MS);
});
