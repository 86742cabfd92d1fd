import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { batonError, casesFor, fuzzEndpoint, hugeValue, refusedBodies, TIMEOUT_MS } from './fuzz-kit.js';
import { startFuzzWorld, type FuzzWorld } from './fuzz-world.js';
import { anyJson, anyText } from './schema-arbitraries.js';

/**
 * The IMI webhook's documented refusals (README "Connect an IMIconnect / Webex Connect bot"): 404
 * for an unknown webhook URL or conversation, 400 for a body without a conversation id, with an
 * unknown eventid, or not JSON; 409 when the bot may not act; 413 and 415 as everywhere.
 */
const IMI = [400, 404, 409, 413, 415] as const;

/** Keys the webhook reads as the conversation id, in any case. */
const ID_KEYS = ['conversationid', 'conversation_id'];
const EVENTS = ['1001', 'handover', '1002', 'close', 'closed', 'close conversation', 'close_conversation'];

describe('fuzzing the IMI webhook', () => {
  let w: FuzzWorld;
  beforeAll(async () => {
    w = await startFuzzWorld();
  }, 60_000);
  afterAll(async () => w?.s.close());

  it('POST /imi/webhook/:token answers every refused request as documented and changes nothing', async () => {
    const session = w.a.imiBotSession;
    // What the bot sends (README): a reply, a 1001 handover, a 1002 close; each would act on the conversation.
    const valid = fc.oneof(
      fc.record({ Conversationid: fc.constant(session), Message: anyText(), MessageType: fc.constantFrom('text', 'image', 'file') }),
      fc.record({ eventid: fc.constantFrom('1001', 1001, 'handover'), conversation_id: fc.constant(session), message: anyText(), customparam1: anyText() }),
      fc.record({ eventid: fc.constantFrom('1002', 1002, 'close'), conversation_id: fc.constant(session), Timestamp: anyText() }),
    );
    const other = fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => !ID_KEYS.includes(k.toLowerCase())), fc.oneof({ weight: 9, arbitrary: anyJson }, { weight: 1, arbitrary: hugeValue }), { maxKeys: 4, noNullPrototype: true });
    const idKey = fc.constantFrom('Conversationid', 'conversation_id', 'CONVERSATIONID', 'conversationId');
    const invalid = fc.oneof(
      other.map((body) => ({ body, what: 'no conversation id' })),
      fc.tuple(other, idKey, fc.oneof(fc.constant(null), fc.boolean(), fc.array(anyJson, { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 }), fc.constant('')))
        .map(([rest, key, id]) => ({ body: { ...rest, [key]: id }, what: `${key} of a wrong type` })),
      // Ids of no conversation: made up, another account's, of a wrong type that reads as a number.
      fc.tuple(other, idKey, fc.oneof(anyText(), fc.constant(w.b.imiBotSession), fc.integer(), fc.constant(w.a.imiConversation)).filter((id) => id !== session && id !== ''))
        .map(([rest, key, id]) => ({ body: { ...rest, [key]: id }, what: `${key} of no conversation of this account` })),
      fc.tuple(other, fc.constantFrom('eventid', 'event', 'EventId'), anyText().filter((e) => !EVENTS.includes(e.trim().toLowerCase()) && e.trim() !== ''))
        .map(([rest, key, event]) => ({ body: { ...rest, [key]: event, Conversationid: session }, what: `an unknown ${key}` })),
      fc.tuple(other.map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => !['message', 'media', 'eventid', 'event'].includes(k.toLowerCase())))), fc.constantFrom(undefined, null, false, {}, []))
        .map(([rest, message]) => ({ body: { ...rest, Conversationid: session, ...(message === undefined ? {} : { Message: message }) }, what: 'a reply without a message' })),
    );
    await fuzzEndpoint(w.s, {
      route: 'POST /imi/webhook/:token',
      cases: casesFor({
        method: 'POST',
        route: '/imi/webhook/:token',
        params: { token: w.ca.imiToken },
        auth: {},
        bodies: refusedBodies({ valid, invalid, emptyRefused: true, nonObjectRefused: true, otherTypesRefused: true }),
      }),
      statuses: IMI,
      shape: batonError,
    });
  }, TIMEOUT_MS);
});
