import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { type FuzzResponse, casesFor, fuzzEndpoint, hugeValue, refusedBodies, TIMEOUT_MS } from './fuzz-kit.js';
import { startFuzzWorld, type FuzzWorld } from './fuzz-world.js';
import { anyJson, anyText } from './schema-arbitraries.js';

/** The Sunshine Conversations routes' refusals (README "Connect a Sunshine Conversations integration"), in its error shape. */
const SUNCO = [400, 401, 403, 404, 409, 413, 415] as const;

/** `{"errors": [{"code", "title"}]}`, with a Baton code registered with the status on the wire. */
function suncoShape(status: number, res: FuzzResponse): string | null {
  const b = res.json as any;
  if (status >= 200 && status < 300) return b && typeof b === 'object' ? null : 'a 2xx must be a JSON object';
  if (!b || typeof b !== 'object' || Array.isArray(b)) return `the body is not a JSON object: ${res.text.slice(0, 200)}`;
  if (Object.keys(b).join(',') !== 'errors' || !Array.isArray(b.errors) || b.errors.length !== 1) return 'the body must be exactly {"errors": [one error]}';
  const e = b.errors[0];
  if (Object.keys(e).join(',') !== 'code,title') return `an error's keys are not code, title: ${Object.keys(e).join(', ')}`;
  if (!(e.code in ERROR_CODES)) return `code ${String(e.code)} is not a Baton code`;
  if (typeof e.title !== 'string' || e.title.length === 0) return 'title must be a sentence';
  if ((ERROR_CODES as Record<string, { status: number }>)[e.code]!.status !== status) return `code ${e.code} is registered with another status than ${status}`;
  return null;
}

const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
const others = fc.dictionary(fc.string({ maxLength: 10 }).filter((k) => !['switchboardIntegration', 'metadata', 'deadline', 'fallback', 'author', 'content'].includes(k)), anyJson, { maxKeys: 2, noNullPrototype: true });
/** Metadata the document refuses: not flat, not an object, or over 4 KB. */
const badMetadata = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.constant(null), fc.array(anyJson, { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), anyJson, { maxKeys: 2 })), { minKeys: 1, maxKeys: 2, noNullPrototype: true }),
  fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer(), { maxLength: 2 }), fc.boolean()),
  fc.integer({ min: 4100, max: 9000 }).map((n) => ({ big: 'x'.repeat(n) })),
);
/** A reference that names no switchboard integration of the conversation. */
const unknownTarget = anyText().map((t) => `nobody-${t}`);

describe('fuzzing the Sunshine Conversations API (/v2)', () => {
  let w: FuzzWorld;
  beforeAll(async () => {
    w = await startFuzzWorld();
  }, 60_000);
  afterAll(async () => w?.s.close());

  const route = (suffix: string) => `/v2/apps/:appId/conversations/:conversationId${suffix}`;
  const endpoint = (suffix: string, valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<{ body: unknown; what: string }>, emptyRefused: boolean) => {
    const auth = basic(w.ca.suncoKey.id, w.ca.suncoKey.secret);
    const badAuth = fc.constantFrom<Record<string, string>>({}, basic(w.ca.suncoKey.id, 'wrong'), { authorization: 'Bearer not.a.jwt' }, { authorization: `Bearer ${w.ca.engageToken}` }, basic(`app_b-sunco-key`, 'b-sunco-key-secret-00000001'));
    return {
      route: `POST ${route(suffix)}`,
      cases: casesFor({ method: 'POST', route: route(suffix), params: { appId: 'acme', conversationId: w.a.suncoConversation }, auth, badAuth, bodies: refusedBodies({ valid, invalid, emptyRefused, nonObjectRefused: true, otherTypesRefused: true, stillInvalid: () => true }) }),
      statuses: SUNCO,
      shape: suncoShape,
    };
  };

  const pass = fc.record({ switchboardIntegration: unknownTarget });
  const targetInvalid = fc.oneof(
    others.map((o) => ({ body: o, what: 'no switchboardIntegration' })),
    fc.tuple(others, fc.oneof(fc.integer(), fc.constant(null), fc.constant(''), fc.array(fc.string(), { maxLength: 2 }))).map(([o, v]) => ({ body: { ...o, switchboardIntegration: v }, what: 'a switchboardIntegration that is not a string' })),
    fc.tuple(others, unknownTarget).map(([o, v]) => ({ body: { ...o, switchboardIntegration: v }, what: 'an integration of nobody' })),
    fc.tuple(others, badMetadata).map(([o, m]) => ({ body: { ...o, switchboardIntegration: 'inbox', metadata: m }, what: 'metadata the document refuses' })),
  );
  const offerInvalid = fc.oneof(
    targetInvalid,
    fc.constantFrom('tomorrow', '', '2020-01-01T00:00:00Z', 42).map((deadline) => ({ body: { switchboardIntegration: 'inbox', deadline }, what: `a deadline ${String(deadline)} that is no future instant` })),
    anyText().map((fallback) => ({ body: { switchboardIntegration: 'inbox', fallback }, what: 'a fallback without a deadline' })),
    unknownTarget.map((fallback) => ({ body: { switchboardIntegration: 'inbox', deadline: '2999-01-01T00:00:00Z', fallback }, what: 'a fallback of nobody' })),
  );
  const messageInvalid = fc.oneof(
    others.map((o) => ({ body: o, what: 'no author, no content' })),
    fc.tuple(others, fc.oneof(fc.constant('user'), fc.constant(null), anyText().filter((t) => t !== 'business'))).map(([o, type]) => ({ body: { ...o, author: { type }, content: { type: 'text', text: 'hi' } }, what: 'an author that is not business' })),
    others.map((o) => ({ body: { ...o, author: { type: 'business' } }, what: 'no content' })),
    fc.oneof(fc.constant({ type: 'text' }), fc.constant({ type: 'text', text: '' }), fc.constant({ type: 'text', text: 'x'.repeat(4097) }), fc.constant({ type: 'image' }), fc.constant({ type: 'file', mediaUrl: 'ftp://x' }), fc.constant({ type: 5 }), fc.constant({ type: 'text', actions: [{}] }))
      .map((content) => ({ body: { author: { type: 'business' }, content }, what: `content ${JSON.stringify(content).slice(0, 60)}` })),
  );
  const metadataOnly = fc.tuple(others, badMetadata).map(([o, m]) => ({ body: { ...o, metadata: m }, what: 'metadata the document refuses' }));

  const endpoints = () => [
    endpoint('/passControl', pass, targetInvalid, true),
    endpoint('/offerControl', pass, offerInvalid, true),
    endpoint('/messages', fc.constant({ author: { type: 'user' }, content: { type: 'text', text: 'hi' } }), messageInvalid, true),
    // Nothing is offered to the bot: any acceptance is refused, whatever its body.
    endpoint('/acceptControl', fc.record({ metadata: fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxKeys: 2 }) }), fc.oneof(metadataOnly, fc.tuple(others, hugeValue).map(([o, h]) => ({ body: { ...o, x: h }, what: 'anything else, with a huge value' }))), false),
    endpoint('/releaseControl', fc.constant({ metadata: { nested: { a: 1 } } }), metadataOnly, false),
  ];

  it.each(['/passControl', '/offerControl', '/messages', '/acceptControl', '/releaseControl'])('POST %s answers every refused request as documented and changes nothing', async (suffix) => {
    await fuzzEndpoint(w.s, endpoints().find((e) => e.route.endsWith(suffix))!);
  }, TIMEOUT_MS);

  it.each(['', '/messages'])('GET %s answers any query and any id as documented and changes nothing', async (suffix) => {
    const query = fc.dictionary(fc.constantFrom('page[after]', 'page[size]', 'x'), fc.constantFrom('%ff', '1e400', '-1', 'NaN', '%', '999999999999999999999'), { maxKeys: 2 })
      .map((q) => (Object.keys(q).length ? `?${Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')}` : ''));
    await fuzzEndpoint(w.s, {
      route: `GET ${route(suffix)}`,
      cases: casesFor({
        method: 'GET',
        route: route(suffix),
        params: { appId: 'acme', conversationId: w.a.suncoConversation },
        auth: basic(w.ca.suncoKey.id, w.ca.suncoKey.secret),
        badAuth: fc.constantFrom<Record<string, string>>({}, { authorization: 'Basic %%%' }, { authorization: 'Bearer a.b.c' }),
        bodies: fc.constant({ body: undefined, contentType: undefined, what: 'no body' }),
        query,
      }),
      statuses: [200, ...SUNCO],
      shape: suncoShape,
    });
  }, TIMEOUT_MS);
});
