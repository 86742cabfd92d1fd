import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as S from '../../src/dialects/native/schemas.js';
import { batonError, type BodyCase, casesFor, encode, type Endpoint, fuzzEndpoint, garbage, JSON_TYPES, oversize, refusedBodies, TIMEOUT_MS, truncatedOf, withBadUtf8, withDeepNesting } from './fuzz-kit.js';
import { routesOf } from '../helpers/routes.js';
import { startFuzzWorld, type FuzzWorld } from './fuzz-world.js';
import { checkedValidOf, invalidOf, isValid, type Schema } from './schema-arbitraries.js';

/** The native API's documented refusals (README "The native API", docs/errors.md). */
const NATIVE = [400, 401, 404, 409, 413, 415] as const;

// The bodies of these three routes are declared next to their handlers; these are the same contracts.
const ActivationBody: Schema = { type: 'object', required: ['active'], properties: { active: { type: 'boolean' } }, additionalProperties: false };
const ChannelEmergencyBody: Schema = { type: 'object', required: ['on'], properties: { on: { type: 'boolean' } }, additionalProperties: false };
const ReplayBody: Schema = { type: 'object', required: ['since'], properties: { since: { type: 'string', format: 'date-time' } }, additionalProperties: false };

const badKey = fc.constantFrom<Record<string, string>>({}, { authorization: 'Bearer not-a-key-of-anyone-000' }, { authorization: 'Basic YWxhZGRpbjpvcGVu' }, { authorization: 'Bearer' });

/** Every refused body of a schema: invalid content, and every malformed encoding of valid content. */
function schemaBodies(schema: Schema): fc.Arbitrary<BodyCase> {
  return refusedBodies({
    valid: checkedValidOf(schema),
    invalid: invalidOf(schema),
    emptyRefused: true,
    nonObjectRefused: true,
    otherTypesRefused: true,
    stillInvalid: (b) => !isValid(schema, b),
  });
}

/** Routes without a body: only bodies that are not JSON at all are refused for what they are. */
function unparseableBodies(): fc.Arbitrary<BodyCase> {
  const anyObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4, noNullPrototype: true });
  return fc.tuple(fc.oneof(garbage, truncatedOf(anyObject), withBadUtf8(anyObject), withDeepNesting(anyObject), oversize(anyObject), fc.constant({ body: Buffer.alloc(0), what: 'an empty body' })), fc.constantFrom(...JSON_TYPES))
    .map(([b, contentType]) => ({ ...b, contentType }));
}

describe('fuzzing the native API (/v1)', () => {
  let w: FuzzWorld;
  beforeAll(async () => {
    w = await startFuzzWorld();
  }, 60_000);
  afterAll(async () => w?.s.close());

  const endpoints = (): Endpoint[] => {
    const auth = { authorization: `Bearer ${w.ca.apiKey}` };
    // Valid bodies sent where nothing of the caller's account is: another account's ids, made-up ones, a switched-off channel.
    const elsewhere: Record<string, string[]> = {
      channelId: ['nope', 'off'],
      id: [w.b.webchatConversation, w.b.cmChat, '00000000-0000-5000-8000-000000000000'],
      agentId: ['carol'],
      componentId: ['nope', 'inbox-of-b'],
      deliveryId: [w.b.deliveryId, 'nope'],
      messageId: [w.b.engageBotContent, 'nope'],
    };
    const body = (method: string, route: string, params: Record<string, string>, schema: Schema): Endpoint => {
      const name = Object.keys(params)[0];
      // Switching a channel off and on again, or replaying, is no refusal: only the messages route refuses a switched-off channel.
      const places = name ? elsewhere[name]!.filter((v) => v !== 'off' || route.endsWith('/messages')) : [];
      const refused = casesFor({ method, route, params, auth, badAuth: badKey, bodies: schemaBodies(schema) });
      const misaddressed = places.length === 0 ? [] : [fc.constantFrom(...places).chain((v) => casesFor({ method, route, params: { [name!]: v }, auth, fuzzParams: [], bodies: checkedValidOf(schema).map((b) => ({ body: encode(b), contentType: 'application/json', what: `a valid body for ${name} ${v}` })) }))];
      return {
        route: `${method} ${route}`,
        cases: fc.oneof({ weight: 9, arbitrary: refused }, ...misaddressed.map((arbitrary) => ({ weight: 1, arbitrary }))),
        statuses: NATIVE,
        shape: batonError,
      };
    };
    const conv = { id: w.a.webchatConversation };
    const control: [string, Schema][] = [
      ['handover', S.HandoverBody], ['takeover', S.TakeoverBody], ['handback', S.HandbackBody], ['position', S.PositionBody], ['reset', S.ResetBody],
      ['mutations', S.MutationsBody], ['assign', S.AssignBody], ['transfer', S.TransferBody], ['defer', S.DeferBody], ['close', S.CloseBody],
    ];
    return [
      body('POST', '/v1/channels/:channelId/messages', { channelId: 'api' }, S.InboundBody),
      body('POST', '/v1/conversations/:id/replies', conv, S.ReplyBody),
      ...control.map(([name, schema]) => body('POST', `/v1/conversations/:id/${name}`, conv, schema)),
      body('PUT', '/v1/agents/:agentId/presence', { agentId: 'bob' }, S.PresenceBody),
      body('POST', '/v1/emergency', {}, S.EmergencyBody),
      body('POST', '/v1/channels/:channelId/emergency', { channelId: 'web' }, ChannelEmergencyBody),
      body('POST', '/v1/channels/:channelId/activation', { channelId: 'web' }, ActivationBody),
      body('POST', '/v1/components/:componentId/replay', { componentId: 'bot' }, ReplayBody),
      body('POST', '/v1/messages/:messageId/status', { messageId: w.a.engageBotContent }, S.MessageStatusBody),
      ...[['POST', '/v1/components/:componentId/verify', { componentId: 'bot' }], ['POST', '/v1/deliveries/:deliveryId/replay', { deliveryId: w.a.deliveryId }]].map(([method, route, params]) => ({
        route: `${method as string} ${route as string}`,
        cases: casesFor({ method: method as string, route: route as string, params: params as Record<string, string>, auth, badAuth: badKey, bodies: unparseableBodies() }),
        statuses: NATIVE,
        shape: batonError,
      })),
    ];
  };

  const ROUTES = ['POST /v1/channels/:channelId/messages', 'POST /v1/conversations/:id/replies', ...['handover', 'takeover', 'handback', 'position', 'reset', 'mutations', 'assign', 'transfer', 'defer', 'close'].map((n) => `POST /v1/conversations/:id/${n}`),
    'PUT /v1/agents/:agentId/presence', 'POST /v1/emergency', 'POST /v1/channels/:channelId/emergency', 'POST /v1/channels/:channelId/activation', 'POST /v1/components/:componentId/replay', 'POST /v1/components/:componentId/verify', 'POST /v1/deliveries/:deliveryId/replay', 'POST /v1/messages/:messageId/status'];
  /** Routes that take no body: their only inputs are the path and the query, tested where they are built. */
  const NO_BODY = ['POST /v1/customers/:customer/erase'];

  it.each(ROUTES)('%s answers every refused request as documented and changes nothing', async (route) => {
    const e = endpoints().find((x) => x.route === route)!;
    expect(e).toBeDefined();
    await fuzzEndpoint(w.s, e);
  }, TIMEOUT_MS);

  it('fuzzes every route of /v1 that takes a body, and only routes that exist', () => {
    const served = routesOf(w.s.baton.app).filter((r) => r.url.startsWith('/v1/') && r.method !== 'GET').map((r) => `${r.method} ${r.url}`).filter((r) => !NO_BODY.includes(r));
    expect([...ROUTES].sort()).toEqual(served.sort());
  });
});
