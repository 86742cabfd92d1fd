import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { encode, fuzzEndpoint, type FuzzRequest, type FuzzResponse, garbage, JSON_TYPES, notAnObject, OTHER_TYPES, oversize, randomHeaders, TIMEOUT_MS, truncatedOf, withBadUtf8, withDeepNesting, badSegment } from './fuzz-kit.js';
import { startFuzzWorld, type FuzzWorld } from './fuzz-world.js';
import { anyJson, anyText } from './schema-arbitraries.js';

/** The webhook's answers, as README "What the client server sends" and seed 004 give them. */
const NO_ACTIVE_CHANNEL = 'There is no active channel for received event.';
const MISSING = 'A required parameter is missing in the request body.';
const MALFORMED = 'Incorrect JSON of the request body.';
const WRONG_URL = 'Incorrect URL.';

function omnichannelShape(status: number, res: FuzzResponse): string | null {
  const b = res.json as any;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return `not a JSON object: ${res.text.slice(0, 200)}`;
  const keys = Object.keys(b).sort().join(',');
  switch (status) {
    case 200:
      return keys === 'detail,status' && b.status === 'ignored' && typeof b.detail === 'string' ? null : 'a refused message may only be acknowledged as ignored';
    case 400:
      if (keys === 'error' && b.error === NO_ACTIVE_CHANNEL) return null;
      return keys === 'detail,error' && b.error === MISSING && typeof b.detail === 'string' ? null : 'a 400 is "no active channel" or "a required parameter is missing"';
    case 404:
      return keys === 'detail,error' && b.error === WRONG_URL ? null : 'a 404 is "Incorrect URL."';
    case 500:
      // "Internal server error." is documented too, but only for a fault of Baton's, never for a body.
      return keys === 'detail,error' && b.error === MALFORMED && typeof b.detail === 'string' ? null : `a malformed body is "${MALFORMED}", not ${JSON.stringify(b.error)}`;
    default:
      return `status ${status}`;
  }
}

type Json = Record<string, any>;
interface Broken {
  body: unknown;
  what: string;
  expect: 200 | 400 | 500;
}

const nonEmpty = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
const id = fc.oneof(nonEmpty, fc.integer({ min: 0, max: 1e9 }));
/** A valid request: one of the document's three kinds, with the visitor's fields. */
const validRequest: fc.Arbitrary<Json> = fc.record({
  event: fc.constant('new_message'),
  chat_id: fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), nonEmpty.filter((s) => s.trim().length > 0)),
  visitor: fc.record({ id, fields: fc.record({ name: anyText(), login: anyText(), phone: anyText(), email: anyText(), site: anyText() }, { requiredKeys: [] }) }, { requiredKeys: ['id'] }),
  message: fc.oneof(
    fc.record({ id, kind: fc.constant('visitor'), text: anyText() }),
    fc.record({ id, kind: fc.constant('file_visitor'), data: fc.record({ state: fc.constant('ready'), id, content_type: anyText(), url: anyText(), name: anyText() }, { requiredKeys: ['state', 'id', 'content_type', 'url'] }) }),
    fc.record({ id, kind: fc.constant('keyboard_response'), data: fc.record({ button: fc.record({ text: anyText(), id }, { requiredKeys: ['text'] }) }) }),
  ),
});

/** Paths of what a kind needs, beyond event, chat_id, visitor.id, message.id and message.kind. */
function neededBy(kind: string): string[][] {
  if (kind === 'visitor') return [['message', 'text']];
  if (kind === 'file_visitor') return [['message', 'data'], ['message', 'data', 'state'], ['message', 'data', 'id'], ['message', 'data', 'content_type'], ['message', 'data', 'url']];
  return [['message', 'data'], ['message', 'data', 'button'], ['message', 'data', 'button', 'text']];
}

function at(body: Json, path: string[], fn: (parent: Json, key: string) => void): Json {
  const copy = structuredClone(body);
  let parent: Json = copy;
  for (const k of path.slice(0, -1)) parent = parent[k];
  fn(parent, path[path.length - 1]!);
  return copy;
}

const notObject = fc.oneof(anyText(), fc.integer(), fc.boolean(), fc.array(anyJson, { maxLength: 2 }));
const notString = fc.oneof(fc.integer(), fc.boolean(), fc.array(anyJson, { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 }));
const notId = fc.oneof(fc.boolean(), fc.array(anyJson, { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 }), fc.constant(''), fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }), fc.constant(2 ** 60), fc.integer({ min: 256, max: 2000 }).map((n) => 'i'.repeat(n)));

/** One thing broken in a valid request, with the status the document gives that problem. */
const broken: fc.Arbitrary<Broken> = fc.tuple(validRequest, fc.nat(), fc.boolean()).chain(([body, pick, asNull]) => {
  const kind = body.message.kind as string;
  const required = [['event'], ['chat_id'], ['visitor'], ['visitor', 'id'], ['message'], ['message', 'id'], ['message', 'kind'], ...neededBy(kind)];
  const path = required[pick % required.length]!;
  const missing: Broken = { body: at(body, path, (p, k) => { if (asNull) p[k] = null; else delete p[k]; }), what: `${path.join('.')} ${asNull ? 'null' : 'missing'}`, expect: 400 };
  const wrong = (p: string[], values: fc.Arbitrary<unknown>, expect: 200 | 500) => values.map((v): Broken => ({ body: at(body, p, (parent, k) => { parent[k] = v; }), what: `${p.join('.')} = ${JSON.stringify(v)?.slice(0, 40)}`, expect }));
  const typed: fc.Arbitrary<Broken>[] = [
    wrong(['chat_id'], fc.oneof(notId.filter((v) => typeof v !== 'string' || v.length > 255 || v.trim() === ''), fc.constant('   ')), 500),
    wrong(['visitor'], notObject, 500),
    wrong(['visitor', 'id'], notId, 500),
    wrong(['visitor', 'fields'], notObject, 500),
    wrong(['visitor', 'fields'], fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.array(anyJson, { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 })), { minKeys: 1, maxKeys: 2 }), 500),
    wrong(['message'], notObject, 500),
    wrong(['message', 'id'], notId, 500),
    // Acknowledged and ignored (200): another event, another kind.
    wrong(['event'], fc.oneof(anyText(), fc.integer(), fc.boolean(), fc.array(anyJson, { maxLength: 2 })).filter((e) => e !== 'new_message'), 200),
    wrong(['message', 'kind'], fc.oneof(anyText(), fc.integer(), fc.boolean()).filter((k) => !['visitor', 'file_visitor', 'keyboard_response'].includes(k as string)), 200),
  ];
  if (kind === 'visitor') typed.push(wrong(['message', 'text'], notString, 500));
  if (kind === 'file_visitor') {
    typed.push(wrong(['message', 'data'], notObject, 500), wrong(['message', 'data', 'state'], notString, 500), wrong(['message', 'data', 'id'], notId, 500), wrong(['message', 'data', 'content_type'], notString, 500), wrong(['message', 'data', 'url'], notString, 500));
    // A file on its way (seed 004: processed only when ready): acknowledged, not forwarded.
    typed.push(wrong(['message', 'data', 'state'], anyText().filter((s) => s !== 'ready'), 200));
  }
  if (kind === 'keyboard_response') typed.push(wrong(['message', 'data'], notObject, 500), wrong(['message', 'data', 'button'], notObject, 500), wrong(['message', 'data', 'button', 'text'], notString, 500), wrong(['message', 'data', 'button', 'id'], notId, 500));
  // As many missing parameters as wrong types: both are what client servers get wrong.
  return fc.oneof({ weight: typed.length, arbitrary: fc.constant(missing) }, ...typed.map((arbitrary) => ({ weight: 1, arbitrary })));
});

describe('fuzzing the Omnichannel webhook', () => {
  let w: FuzzWorld;
  beforeAll(async () => {
    w = await startFuzzWorld();
  }, 60_000);
  afterAll(async () => w?.s.close());

  it('POST /connector/omnichannel/omnichannel_message/:token/bot_api_webhook answers every refused request as documented and changes nothing', async () => {
    const path = (token: string) => `/connector/omnichannel/omnichannel_message/${token}/bot_api_webhook`;
    const token = w.ca.omniToken;
    const json = (b: { body: Buffer; what: string }, expect: number) => fc.tuple(randomHeaders, fc.constantFrom(...JSON_TYPES)).map(([headers, contentType]): FuzzRequest => ({ method: 'POST', path: path(token), headers: { ...headers, 'content-type': contentType }, body: b.body, what: b.what, expect }));
    const cases: fc.Arbitrary<FuzzRequest> = fc.oneof(
      { weight: 8, arbitrary: broken.chain((b) => json({ body: encode(b.body), what: b.what }, b.expect)) },
      // Every malformed body is a 500 "Incorrect JSON of the request body." (README).
      { weight: 1, arbitrary: garbage.chain((b) => json(b, 500)) },
      { weight: 1, arbitrary: truncatedOf(validRequest).chain((b) => json(b, 500)) },
      { weight: 1, arbitrary: withBadUtf8(validRequest).chain((b) => json(b, 500)) },
      { weight: 1, arbitrary: withDeepNesting(validRequest).chain((b) => json(b, 500)) },
      { weight: 1, arbitrary: oversize(validRequest).chain((b) => json(b, 500)) },
      { weight: 1, arbitrary: notAnObject.chain((b) => json(b, 500)) },
      { weight: 1, arbitrary: fc.constant({ body: Buffer.alloc(0), what: 'an empty body' }).chain((b) => json(b, 500)) },
      { weight: 1, arbitrary: fc.tuple(validRequest, fc.constantFrom(...OTHER_TYPES, undefined)).map(([v, contentType]): FuzzRequest => ({ method: 'POST', path: path(token), headers: contentType ? { 'content-type': contentType } : {}, body: encode(v), what: `a valid request sent as ${contentType ?? 'no content type'}`, expect: 500 })) },
      // A valid request to the switched-off channel, to no channel, to a bad URL.
      { weight: 1, arbitrary: fc.tuple(validRequest, fc.constantFrom(w.ca.omniOffToken, `${token}x`, 'x', w.ca.imiToken, w.ca.engageToken)).map(([v, t]): FuzzRequest => ({ method: 'POST', path: path(encodeURIComponent(t)), headers: { 'content-type': 'application/json' }, body: encode(v), what: `a valid request with the token of no active channel (${t})`, expect: 400 })) },
      { weight: 1, arbitrary: fc.tuple(validRequest, badSegment).map(([v, segment]): FuzzRequest => ({ method: 'POST', path: path(segment), headers: { 'content-type': 'application/json' }, body: encode(v), what: `a token that is not one: ${segment.slice(0, 40)}` })) },
      { weight: 1, arbitrary: fc.tuple(validRequest, fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'), fc.constantFrom(path(token), '/connector/omnichannel/', `/connector/omnichannel/omnichannel_message/${token}`, `/connector/omnichannel/x/${token}/bot_api_webhook`)).map(([v, method, p]): FuzzRequest => ({ method, path: p, headers: { 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { body: encode(v) }), what: `${method} ${p}`, expect: 404 })) },
    );
    await fuzzEndpoint(w.s, { route: 'POST /connector/omnichannel/omnichannel_message/:token/bot_api_webhook', cases, statuses: [200, 400, 404, 500], shape: omnichannelShape });
  }, TIMEOUT_MS);
});
