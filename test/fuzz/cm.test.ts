import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MoBody } from '../../src/dialects/cm/cm-mo-inbound.js';
import { canonicalKeys, MutationsBody, PositionRequestBody } from '../../src/dialects/cm/cm-control-schemas.js';
import { batonError, type BodyCase, casesFor, encode, type Endpoint, fuzzEndpoint, type FuzzResponse, garbage, JSON_TYPES, oversize, refusedBodies, TIMEOUT_MS, truncatedOf, withBadUtf8, withDeepNesting } from './fuzz-kit.js';
import { startFuzzWorld, type FuzzWorld } from './fuzz-world.js';
import { anyJson, anyText, checkedValidOf, invalidOf, isValid, type Schema } from './schema-arbitraries.js';

/** The control API and a cm channel's MO webhook answer Baton's errors (README "Steering: the control API", "A cm channel"). */
const CONTROL = [400, 401, 404, 409, 413, 415] as const;
const MO = [400, 401, 404, 409, 413, 415] as const;

/**
 * The BMProxy answers as CM's Business Messaging API (README "Sending: the BMProxy"): a request
 * with nothing accepted is a 400 with errorCode 101 (token), 202 (malformed, not JSON), 203 (msg
 * array) or 201 (every message rejected, each entry saying why).
 */
function bmShape(status: number, res: FuzzResponse): string | null {
  const b = res.json as any;
  if (status !== 400) return 'only 400 refuses a BMProxy request';
  if (!b || typeof b !== 'object' || Object.keys(b).sort().join(',') !== 'details,errorCode,messages') return `not CM's shape: ${res.text.slice(0, 200)}`;
  if (typeof b.details !== 'string' || !Array.isArray(b.messages)) return 'details must be a string and messages an array';
  if (![101, 201, 202, 203].includes(b.errorCode)) return `errorCode ${b.errorCode} is not one of CM's request codes`;
  if (b.errorCode !== 201 && b.messages.length > 0) return 'a request refused whole has no entries';
  if (b.errorCode === 201 && (b.messages.length === 0 || b.messages.some((m: any) => m.status !== 'Rejected' || ![301, 302, 304, 403].includes(m.messageErrorCode) || typeof m.messageDetails !== 'string'))) return 'errorCode 201 needs rejected entries with their reasons';
  return null;
}

/** A schema's refused bodies, judged after the control API's case-insensitive keys are made canonical. */
function controlBodies(schema: Schema, extra: fc.Arbitrary<{ body: unknown; what: string }>[] = []): fc.Arbitrary<BodyCase> {
  const refused = (b: unknown) => !isValid(schema, canonicalKeys(b));
  return refusedBodies({
    valid: checkedValidOf(schema),
    invalid: fc.oneof(invalidOf(schema).filter(({ body }) => refused(body)), ...extra),
    emptyRefused: true,
    nonObjectRefused: true,
    otherTypesRefused: true,
    stillInvalid: refused,
  });
}

/** Only bodies that are not JSON: the reset takes no body, and an empty one (or only whitespace) is no body (README). */
function unparseable(): fc.Arbitrary<BodyCase> {
  const anyObject = fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 4, noNullPrototype: true });
  return fc.tuple(fc.oneof(garbage.filter(({ body }) => body.toString('utf8').trim() !== ''), truncatedOf(anyObject), withBadUtf8(anyObject), withDeepNesting(anyObject), oversize(anyObject)), fc.constantFrom(...JSON_TYPES))
    .map(([b, contentType]) => ({ ...b, contentType }));
}

describe('fuzzing the CM.com Bot Router dialect', () => {
  let w: FuzzWorld;
  beforeAll(async () => {
    w = await startFuzzWorld();
  }, 60_000);
  afterAll(async () => w?.s.close());

  const bmProxy = (route: string): Endpoint => {
    const business = '+3197010203040';
    const token = w.ca.cmBotToken;
    const customer = w.a.cmCustomer;
    // A message the bot may send: the real chat, a text. Every invalid one below breaks it or the envelope.
    const goodMsg = fc.record({ from: fc.constant(business), to: fc.constant([{ number: customer }]), body: fc.record({ type: fc.constant('auto'), content: anyText().filter((t) => t.length > 0) }), reference: anyText() });
    const valid = fc.tuple(goodMsg, fc.constantFrom('producttoken', 'productToken', 'PRODUCTTOKEN')).map(([msg, key]) => ({ messages: { authentication: { [key]: token }, msg: [msg] } }));
    const noChat = anyText().filter((n) => n !== customer && n !== business && n.length > 0);
    const brokenMsg: fc.Arbitrary<unknown> = fc.oneof(
      goodMsg.map(({ from: _f, ...m }) => m),
      goodMsg.map((m) => ({ ...m, from: '' })),
      goodMsg.map((m) => ({ ...m, to: [] })),
      goodMsg.map((m) => ({ ...m, to: [{ name: 'x' }, { number: null }, { number: {} }] })),
      goodMsg.map(({ body: _b, ...m }) => m),
      goodMsg.map((m) => ({ ...m, body: { type: 'auto', content: '' }, richContent: { conversation: [{ text: '' }] } })),
      // A customer with no chat is not broken: the bot starts one (README, CM: a bot may write first).
      fc.tuple(goodMsg, noChat).map(([m, from]) => ({ ...m, from })),
      anyJson,
    );
    const invalid = fc.oneof(
      anyJson.map((messages) => ({ body: { messages }, what: 'messages that are not an object' })),
      fc.dictionary(fc.string({ maxLength: 10 }).filter((k) => k.toLowerCase() !== 'messages'), anyJson, { maxKeys: 3 }).map((body) => ({ body, what: 'no messages' })),
      fc.tuple(goodMsg, fc.oneof(anyText(), fc.constant(w.ca.cmDeskToken.slice(1)), fc.constant(credentials(w, 'b')))).map(([msg, t]) => ({ body: { messages: { authentication: { producttoken: t }, msg: [msg] } }, what: 'a product token of no cm component of this account' })),
      goodMsg.map((msg) => ({ body: { messages: { msg: [msg] } }, what: 'no product token' })),
      fc.oneof(anyJson.filter((m) => !Array.isArray(m)), fc.constant([])).map((msg) => ({ body: { messages: { authentication: { producttoken: token }, msg } }, what: 'a msg that is not a non-empty array' })),
      fc.array(brokenMsg, { minLength: 1, maxLength: 4 }).map((msg) => ({ body: { messages: { authentication: { producttoken: token }, msg } }, what: 'every message broken' })),
    );
    return {
      route: `POST ${route}`,
      cases: casesFor({
        method: 'POST',
        route,
        params: { accountId: 'acme' },
        auth: {},
        bodies: refusedBodies({ valid, invalid, emptyRefused: true, nonObjectRefused: true, otherTypesRefused: true }),
      }),
      statuses: [400],
      shape: bmShape,
    };
  };

  const control = (): Endpoint[] => {
    const auth = { 'x-cm-producttoken': w.ca.cmBotToken };
    const badAuth = fc.constantFrom<Record<string, string>>({}, { 'x-cm-producttoken': 'not-a-token' }, { 'x-cm-producttoken': credentials(w, 'b') }, { authorization: `Bearer ${w.ca.apiKey.replace('a-', 'b-')}` }, { authorization: 'Bearer nobody-000000000000000' });
    const chat = w.a.cmChat;
    // Valid in shape, refused by meaning: an unknown $type, an unknown component, a chat of no one or of the other account.
    const mutationExtras = [
      fc.tuple(anyText().filter((t) => t !== 'enableComponent' && t !== 'disableComponent'), fc.constantFrom('CmBot', 'CustomerContact')).map(([$type, ComponentId]) => ({ body: { ChatId: chat, Mutations: [{ $type, ComponentId }] }, what: 'an unknown $type' })),
      fc.tuple(fc.constantFrom('enableComponent', 'disableComponent'), anyText().filter((c) => c.length > 0 && !['CmBot', 'CustomerContact', 'bot', 'imibot', 'engagebot', 'inbox'].includes(c))).map(([$type, ComponentId]) => ({ body: { ChatId: chat, Mutations: [{ $type, ComponentId }] }, what: 'an unknown component' })),
      fc.tuple(fc.constantFrom(w.b.cmChat, '00000000-0000-5000-8000-000000000000'), fc.constantFrom('enableComponent', 'disableComponent')).map(([ChatId, $type]) => ({ body: { ChatId, Mutations: [{ $type, ComponentId: 'CmBot' }] }, what: 'a chat of no conversation of this account' })),
    ];
    const positionExtras = [
      fc.tuple(fc.constantFrom(w.b.cmChat, '00000000-0000-5000-8000-000000000000'), anyText().filter((x) => x.length > 0)).map(([ChatId, FlowId]) => ({ body: { ChatId, FlowId, StepId: FlowId }, what: 'a chat of no conversation of this account' })),
    ];
    const base = '/conversational/control/v1/accounts/:accountId/sessions';
    const params = { accountId: 'acme', chatId: chat };
    return [
      { route: `POST ${base}/mutations`, cases: casesFor({ method: 'POST', route: `${base}/mutations`, params, auth, badAuth, bodies: controlBodies(MutationsBody, mutationExtras) }), statuses: CONTROL, shape: batonError },
      { route: `POST ${base}/positionrequests`, cases: casesFor({ method: 'POST', route: `${base}/positionrequests`, params, auth, badAuth, bodies: controlBodies(PositionRequestBody, positionExtras) }), statuses: CONTROL, shape: batonError },
      { route: `POST ${base}/:chatId/reset`, cases: casesFor({ method: 'POST', route: `${base}/:chatId/reset`, params, auth, badAuth, bodies: unparseable() }), statuses: CONTROL, shape: batonError },
    ];
  };

  const mo = (): Endpoint => {
    const schema = MoBody as unknown as Schema;
    const validMo = checkedValidOf(schema);
    // A valid MO, refused by where it is sent: the guarded channel without its token, a channel that is not cm, no channel.
    const misaddressed = fc.tuple(validMo, fc.constantFrom(['acme', 'guarded', ''], ['acme', 'guarded', '?token=wrong'], ['acme', 'api', ''], ['acme', 'nope', ''], ['nobody', 'whatsapp', ''], ['globex', 'guarded', `?token=${w.ca.moToken}`]))
      .map(([body, [account, channel, query]]) => ({ method: 'POST', path: `/conversational/channels/${account}/${channel}/mo${query}`, headers: { 'content-type': 'application/json' }, body: encode(body), what: `a valid MO sent to ${account}/${channel}${query}` }));
    const route = '/conversational/channels/:accountId/:channelId/mo';
    const refused = casesFor({
      method: 'POST',
      route,
      params: { accountId: 'acme', channelId: 'whatsapp' },
      auth: {},
      bodies: refusedBodies({ valid: validMo, invalid: invalidOf(schema), emptyRefused: true, nonObjectRefused: true, otherTypesRefused: true, stillInvalid: (b) => !isValid(schema, b) }),
    });
    return { route: `POST ${route}`, cases: fc.oneof({ weight: 9, arbitrary: refused }, { weight: 1, arbitrary: misaddressed }), statuses: MO, shape: batonError };
  };

  it.each(['/conversational/bmproxy/v1/accounts/:accountId', '/conversational/bmproxy/v1/accounts/:accountId/v1.0/message'])('POST %s answers every refused request as CM does and changes nothing', async (route) => {
    await fuzzEndpoint(w.s, bmProxy(route));
  }, TIMEOUT_MS);

  it.each(['mutations', 'positionrequests', ':chatId/reset'])('POST /conversational/control/v1/accounts/:accountId/sessions/%s answers every refused request as documented and changes nothing', async (name) => {
    await fuzzEndpoint(w.s, control().find((e) => e.route.endsWith(`/${name}`))!);
  }, TIMEOUT_MS);

  it('POST /conversational/channels/:accountId/:channelId/mo answers every refused request as documented and changes nothing', async () => {
    await fuzzEndpoint(w.s, mo());
  }, TIMEOUT_MS);
});

/** The other account's bot product token. */
function credentials(_w: FuzzWorld, tag: string): string {
  return `${tag}-cm-bot-product-token-0001`;
}
