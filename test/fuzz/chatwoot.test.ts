import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { chatwootIds } from '../../src/dialects/chatwoot/chatwoot-ids.js';
import { type BodyCase, casesFor, encode, type Endpoint, fuzzEndpoint, type FuzzResponse, invalidUtf8, JSON_TYPES, refusedBodies, TIMEOUT_MS } from './fuzz-kit.js';
import { startFuzzWorld, type FuzzWorld } from './fuzz-world.js';
import { anyJson, anyText } from './schema-arbitraries.js';

/** The Chatwoot API's refusals (README "Connect a Chatwoot agent bot"), in its shape; 413 for a body over the limit, as everywhere. */
const CHATWOOT = [400, 401, 404, 409, 413] as const;

/** `{"error": "<sentence>", "code": "<Baton code>"}` with the code's registered status (docs/errors.md). */
function chatwootShape(status: number, res: FuzzResponse): string | null {
  const b = res.json as any;
  if (status >= 200 && status < 300) return b && typeof b === 'object' ? null : 'a 200 must be JSON';
  if (!b || typeof b !== 'object' || Array.isArray(b)) return `the body is not a JSON object: ${res.text.slice(0, 200)}`;
  if (Object.keys(b).sort().join(',') !== 'code,error') return `keys are not code, error: ${Object.keys(b).join(', ')}`;
  if (typeof b.code !== 'string' || !(b.code in ERROR_CODES)) return `code ${String(b.code)} is not a Baton code`;
  if (typeof b.error !== 'string' || b.error.length === 0) return 'error must be a sentence';
  if ((ERROR_CODES as Record<string, { status: number }>)[b.code]!.status !== status) return `code ${b.code} is registered with another status than ${status}`;
  return null;
}

const CRLF = '\r\n';

/** Whether a body still has no text to send once a huge value was put somewhere in it. */
function noText(body: unknown): boolean {
  const content = (body as { content?: unknown } | null)?.content;
  return typeof content !== 'string' || content.trim() === '';
}

/** A multipart body of text fields and files, as an HTTP client builds it. */
function multipart(boundary: string, fields: [string, string | Buffer][], files: [string, string][] = []): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) parts.push(Buffer.from(`--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"${CRLF}${CRLF}`), Buffer.from(value), Buffer.from(CRLF));
  for (const [name, filename] of files) parts.push(Buffer.from(`--${boundary}${CRLF}Content-Disposition: form-data; name="${name}"; filename="${filename}"${CRLF}Content-Type: application/pdf${CRLF}${CRLF}%PDF-1.4${CRLF}`));
  parts.push(Buffer.from(`--${boundary}--${CRLF}`));
  return Buffer.concat(parts);
}

/** Multipart bodies refused: a file attached, text that is not UTF-8, a form cut short or never closed, no boundary. */
const brokenMultipart: fc.Arbitrary<BodyCase> = fc.oneof(
  fc.tuple(anyText(), fc.string({ minLength: 1, maxLength: 20 }).filter((f) => !f.includes('"') && !/[\r\n]/.test(f))).map(([content, file]) => ({ body: multipart('b0undary', [['content', content || 'x']], [['attachments[]', file]]), contentType: 'multipart/form-data; boundary=b0undary', what: 'a file attached' })),
  invalidUtf8.map((bad) => ({ body: multipart('b0undary', [['content', Buffer.concat([Buffer.from('hi '), bad])]]), contentType: 'multipart/form-data; boundary=b0undary', what: `a field with invalid UTF-8 (${bad.toString('hex')})` })),
  fc.tuple(anyText(), fc.nat()).map(([content, cut]) => {
    const whole = multipart('b0undary', [['content', content || 'x']]);
    return { body: whole.subarray(0, Math.max(1, cut % (whole.length - 4))), contentType: 'multipart/form-data; boundary=b0undary', what: 'a form cut short' };
  }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ body: Buffer.from(bytes), contentType: 'multipart/form-data; boundary=b0undary', what: 'random bytes as a form' })),
  fc.constant({ body: multipart('x', [['content', 'hello']]), contentType: 'multipart/form-data', what: 'no boundary in the Content-Type' }),
  fc.constantFrom('message_type', 'content_type').map((field) => ({ body: multipart('b0undary', [['content', 'hello'], [field, 'incoming-ish']]), contentType: 'multipart/form-data; boundary=b0undary', what: `a bad ${field} in a form` })),
);

describe('fuzzing the Chatwoot API (/api/v1)', () => {
  let w: FuzzWorld;
  beforeAll(async () => {
    w = await startFuzzWorld();
  }, 60_000);
  afterAll(async () => w?.s.close());

  const endpoints = (): Endpoint[] => {
    const auth = { api_access_token: w.ca.chatwootToken };
    const badAuth = fc.constantFrom<Record<string, string>>({}, { api_access_token: 'not-a-chatwoot-token' }, { api_access_token: w.ca.engageToken }, { api_access_token: w.ca.apiKey }, { authorization: `Bearer ${w.ca.chatwootToken}` });
    const params = { accountId: String(chatwootIds.account('acme')), conversationId: String(w.a.chatwootConversationNumber) };
    const others = fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => !['content', 'message_type', 'content_type', 'content_attributes', 'private', 'status'].includes(k)), anyJson, { maxKeys: 3, noNullPrototype: true });

    const validMessage = fc.record({ content: anyText().filter((t) => t.trim().length > 0) });
    const invalidMessage = fc.oneof(
      others.map((p) => ({ body: p, what: 'no content' })),
      fc.tuple(others, fc.oneof(fc.constant(''), fc.constant('   '), fc.constant(null), fc.array(anyText(), { minLength: 1, maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 }))).map(([p, content]) => ({ body: { ...p, content }, what: 'an unreadable content' })),
      fc.tuple(others, validMessage, fc.oneof(fc.constantFrom('incoming', 0, '0', 'activity', 2), anyText().filter((t) => !['outgoing', 'template', '1', '3'].includes(t)))).map(([p, m, message_type]) => ({ body: { ...p, ...m, message_type }, what: 'a message_type a bot may not send' })),
      fc.tuple(others, validMessage, anyText().filter((t) => !['text', 'input_text', 'input_textarea', 'input_email', 'input_select', 'cards', 'form', 'article', 'incoming_email', 'input_csat', 'integrations', 'sticker'].includes(t))).map(([p, m, content_type]) => ({ body: { ...p, ...m, content_type }, what: 'an unknown content_type' })),
      fc.tuple(others, validMessage, fc.oneof(anyText(), fc.integer(), fc.array(anyJson, { maxLength: 2 }))).map(([p, m, content_attributes]) => ({ body: { ...p, ...m, content_attributes }, what: 'content_attributes that are not an object' })),
      fc.tuple(others, validMessage, fc.oneof(fc.constantFrom('yes', 'no', 2, -1), fc.dictionary(fc.string({ maxLength: 3 }), anyJson, { maxKeys: 1 }))).map(([p, m, priv]) => ({ body: { ...p, ...m, private: priv }, what: 'a private that is not a boolean' })),
    );
    const messageBodies = fc.oneof(
      { weight: 4, arbitrary: refusedBodies({ valid: validMessage, invalid: invalidMessage, emptyRefused: true, nonObjectRefused: true, otherTypesRefused: false, stillInvalid: noText }) },
      { weight: 2, arbitrary: brokenMultipart },
    );

    const validToggle = fc.record({ status: fc.constantFrom('open', 'pending', 'resolved', 'snoozed') });
    const invalidToggle = fc.oneof(
      fc.tuple(others, fc.oneof(anyText().filter((t) => !['open', 'pending', 'resolved', 'snoozed'].includes(t)), fc.array(anyText(), { minLength: 1, maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), anyJson, { maxKeys: 1 }))).map(([p, status]) => ({ body: { ...p, status }, what: 'a status Chatwoot does not have' })),
    );
    const toggleBodies = refusedBodies({ valid: validToggle, invalid: invalidToggle, emptyRefused: false, nonObjectRefused: false, otherTypesRefused: false });

    // Valid bodies on a conversation the caller cannot reach: every status and path refuses it.
    const unknownConversation = fc.oneof(fc.integer({ min: 1, max: 2 ** 47 }).filter((n) => n !== w.a.chatwootConversationNumber).map(String), fc.constant(String(w.b.chatwootConversationNumber)), fc.constant(w.a.chatwootConversation), anyText().filter((t) => t.length > 0));
    const elsewhere = (suffix: string, body: fc.Arbitrary<unknown>) => fc.tuple(unknownConversation, fc.oneof(fc.constant(params.accountId), fc.constant(String(chatwootIds.account('globex'))), fc.constant('1')), body, fc.constantFrom(...JSON_TYPES)).map(([conv, account, b, contentType]) => ({
      method: 'POST', path: `/api/v1/accounts/${account}/conversations/${encodeURIComponent(conv)}${suffix}`, headers: { ...auth, 'content-type': contentType }, body: encode(b), what: `account ${account}, conversation ${conv.slice(0, 40)}`,
    }));
    const route = (suffix: string) => `/api/v1/accounts/:accountId/conversations/:conversationId${suffix}`;
    return [
      { route: `POST ${route('/messages')}`, cases: fc.oneof({ weight: 4, arbitrary: casesFor({ method: 'POST', route: route('/messages'), params, auth, badAuth, bodies: messageBodies }) }, { weight: 1, arbitrary: elsewhere('/messages', validMessage) }), statuses: CHATWOOT, shape: chatwootShape },
      { route: `POST ${route('/toggle_status')}`, cases: fc.oneof({ weight: 4, arbitrary: casesFor({ method: 'POST', route: route('/toggle_status'), params, auth, badAuth, bodies: toggleBodies }) }, { weight: 1, arbitrary: elsewhere('/toggle_status', validToggle) }), statuses: CHATWOOT, shape: chatwootShape },
    ];
  };

  it.each(['POST /api/v1/accounts/:accountId/conversations/:conversationId/messages', 'POST /api/v1/accounts/:accountId/conversations/:conversationId/toggle_status'])('%s answers every refused request as documented and changes nothing', async (route) => {
    await fuzzEndpoint(w.s, endpoints().find((e) => e.route === route)!);
  }, TIMEOUT_MS);

  it('GET /api/v1/accounts/:accountId/conversations/:conversationId answers any query as documented and changes nothing', async () => {
    const query = fc.dictionary(fc.constantFrom('api_access_token', 'status', 'x'), fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent), fc.constantFrom('%ff', '1e400', '-1', '%')), { maxKeys: 2 })
      .map((q) => (Object.keys(q).length ? `?${Object.entries(q).map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&')}` : ''));
    await fuzzEndpoint(w.s, {
      route: 'GET /api/v1/accounts/:accountId/conversations/:conversationId',
      cases: casesFor({
        method: 'GET',
        route: '/api/v1/accounts/:accountId/conversations/:conversationId',
        params: { accountId: String(chatwootIds.account('acme')), conversationId: String(w.a.chatwootConversationNumber) },
        auth: { api_access_token: w.ca.chatwootToken },
        badAuth: fc.constantFrom<Record<string, string>>({}, { api_access_token: 'nope' }),
        bodies: fc.constant({ body: undefined, contentType: undefined, what: 'no body' }),
        query,
      }),
      statuses: [200, ...CHATWOOT],
      shape: chatwootShape,
    });
  }, TIMEOUT_MS);
});
