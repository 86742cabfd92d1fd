import { isUtf8 } from 'node:buffer';
import { sql } from 'kysely';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { ERROR_CODES } from '../../src/core/errors.js';
import type { TestServer } from '../helpers/server.js';
import { anyJson, anyText } from './schema-arbitraries.js';

/**
 * Cases per endpoint: small for `npm test`, 10,000 for `npm run fuzz`. `BATON_FUZZ_SEED` replays
 * a run that failed (fast-check prints the seed and the path of the failing case).
 */
export const RUNS = Number(process.env.BATON_FUZZ_RUNS ?? 200);
export const SEED = process.env.BATON_FUZZ_SEED === undefined ? undefined : Number(process.env.BATON_FUZZ_SEED);
/** Per endpoint: generous, since every case is a real request and two store reads. */
export const TIMEOUT_MS = Math.max(60_000, RUNS * 60);
/** Longer than any refusal of a body up to the limit may take on a loaded machine. */
const SLOW_MS = 5000;
/** The server's body limit in these tests (test/helpers/server.ts). */
export const BODY_LIMIT = 1024 * 1024;

/** A piece of JSON text put into a body as bytes: invalid UTF-8, deep nesting, whatever JSON.stringify cannot write. */
export class Raw {
  constructor(
    readonly bytes: Buffer,
    readonly what: string,
  ) {}
}

/** JSON.stringify, with every `Raw` spliced in as its bytes. */
export function encode(value: unknown): Buffer {
  const raws: Raw[] = [];
  const nonce = Math.random().toString(36).slice(2);
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Raw) {
      raws.push(v);
      return `@@raw-${nonce}-${raws.length - 1}@@`;
    }
    return v;
  }) ?? 'null';
  if (raws.length === 0) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  const marker = new RegExp(`"@@raw-${nonce}-(\\d+)@@"`, 'g');
  let last = 0;
  for (const m of text.matchAll(marker)) {
    parts.push(Buffer.from(text.slice(last, m.index), 'utf8'), raws[Number(m[1])]!.bytes);
    last = m.index! + m[0].length;
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/** Whether bytes are a JSON text a strict reader takes: UTF-8, parseable. */
export function isStrictJson(bytes: Buffer): boolean {
  if (!isUtf8(bytes)) return false;
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Byte sequences that are not UTF-8: a stray continuation byte, an overlong form, a cut sequence, an encoded surrogate, bytes that never occur. */
export const invalidUtf8: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom([0xff], [0xfe], [0x80], [0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]).map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.from(b)).filter((b) => !isUtf8(b)),
);

/** Every node of a JSON value, by path (the root is []). */
function pathsOf(v: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(path);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...path, i], out));
  else if (v && typeof v === 'object' && !(v instanceof Raw)) for (const [k, x] of Object.entries(v)) pathsOf(x, [...path, k], out);
  return out;
}

/** The value with the node at `pick` (an index into its nodes, wrapped) replaced; the root itself when `rootToo`. */
function replaceNode(value: unknown, pick: number, by: unknown, rootToo: boolean): { value: unknown; at: string } {
  const paths = pathsOf(value).filter((p) => rootToo || p.length > 0);
  if (paths.length === 0) return { value: { x: by }, at: 'x' };
  const path = paths[pick % paths.length]!;
  if (path.length === 0) return { value: by, at: '(root)' };
  const copy = structuredClone(value) as any;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k];
  Object.defineProperty(parent, path[path.length - 1]!, { value: by, enumerable: true, writable: true, configurable: true });
  return { value: copy, at: path.join('.') };
}

/** A body with invalid UTF-8 inside one of its strings, or as a key. */
export function withBadUtf8(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ body: Buffer; what: string }> {
  return fc.tuple(valid, fc.nat(), invalidUtf8, fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), fc.boolean()).map(([v, pick, bad, pre, post, asKey]) => {
    const str = Buffer.concat([Buffer.from(JSON.stringify(pre).slice(0, -1)), bad, Buffer.from(JSON.stringify(post).slice(1))]);
    if (asKey && v && typeof v === 'object' && !Array.isArray(v)) {
      const body = encode(v);
      // `{` + `"<bad>":1,` + the rest: the bad key comes first.
      const rest = body.subarray(1);
      const key = Buffer.concat([Buffer.from('{'), str, Buffer.from(rest.length > 1 ? ':1,' : ':1')]);
      return { body: Buffer.concat([key, rest]), what: `invalid UTF-8 (${bad.toString('hex')}) in a key` };
    }
    const { value, at } = replaceNode(v, pick, new Raw(str, 'bad utf-8'), false);
    return { body: encode(value), what: `invalid UTF-8 (${bad.toString('hex')}) in the string at ${at}` };
  });
}

/** JSON nested deeper than any reader should follow: arrays, objects, or both. */
export const deepJson: fc.Arbitrary<Raw> = fc.tuple(fc.oneof(fc.integer({ min: 65, max: 2000 }), fc.integer({ min: 2000, max: 200_000 })), fc.constantFrom('array', 'object', 'mixed')).map(([depth, kind]) => {
  const open = kind === 'array' ? '[' : kind === 'object' ? '{"a":' : '[{"a":';
  const close = kind === 'array' ? ']' : kind === 'object' ? '}' : '}]';
  const n = kind === 'mixed' ? Math.ceil(depth / 2) : depth;
  return new Raw(Buffer.from(open.repeat(n) + '0' + close.repeat(n)), `nesting ${depth} deep (${kind})`);
});

/** A body with one of its values (not the root) nested too deep. */
export function withDeepNesting(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ body: Buffer; what: string }> {
  return fc.tuple(valid, fc.nat(), deepJson).map(([v, pick, deep]) => {
    const { value, at } = replaceNode(v, pick, deep, true);
    return { body: encode(value), what: `${deep.what} at ${at}` };
  });
}

/** A JSON text cut short (never at 0: an empty body is its own case). */
export function truncatedOf(bodies: fc.Arbitrary<unknown>): fc.Arbitrary<{ body: Buffer; what: string }> {
  return fc.tuple(bodies, fc.double({ min: 0, max: 1, noNaN: true })).map(([v, at]) => {
    const whole = encode(v);
    const cut = Math.max(1, Math.min(whole.length - 1, Math.floor(at * whole.length)));
    return { body: whole.subarray(0, cut), what: `truncated at byte ${cut} of ${whole.length}` };
  }).filter(({ body }) => !isStrictJson(body));
}

/** Bytes that are not a JSON text at all. */
export const garbage: fc.Arbitrary<{ body: Buffer; what: string }> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 600 }).map((b) => Buffer.from(b)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }).map((s) => Buffer.from(s, 'utf8')),
  fc.constantFrom('{', '}', '[', '{"a":}', '{a:1}', "{'a':1}", '{"a":1,}', '[1,]', 'NaN', 'undefined', '{"a":1}{"b":2}', '{"a":"\\x"}', '{"a":01}', '\u0000', '{"a":1', '// {}', '<xml/>', 'a=1&b=2').map((s) => Buffer.from(s)),
).map((body) => ({ body, what: 'bytes that are not JSON' })).filter(({ body }) => !isStrictJson(body));

/** JSON texts that are not an object. */
export const notAnObject: fc.Arbitrary<{ body: Buffer; what: string }> = fc.oneof(
  fc.array(anyJson, { maxLength: 4 }),
  anyText(),
  fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  fc.constantFrom(null, true, false),
).map((v) => ({ body: encode(v), what: `a JSON ${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v}` }));

/** A body over the size limit: a valid one with one huge field more. */
export function oversize(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ body: Buffer; what: string }> {
  return fc.tuple(valid, fc.integer({ min: 1, max: 200_000 }), fc.constantFrom('x', 'é', '€', '\\"')).map(([v, extra, ch]) => {
    const base = encode(v && typeof v === 'object' && !Array.isArray(v) ? v : { v });
    const pad = Buffer.from(`"_pad":"${ch.repeat(Math.ceil((BODY_LIMIT + extra) / Buffer.byteLength(ch)))}"`);
    const body = base.length > 2 ? Buffer.concat([base.subarray(0, 1), pad, Buffer.from(','), base.subarray(1)]) : Buffer.concat([Buffer.from('{'), pad, Buffer.from('}')]);
    return { body, what: `${body.length} bytes, over the ${BODY_LIMIT}-byte limit` };
  });
}

/** Huge strings and arrays, to put where the body is already refused for another reason. */
export const hugeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 70_000, max: 400_000 }).map((n) => 'y'.repeat(n)),
  fc.integer({ min: 10_000, max: 100_000 }).map((n) => Array.from({ length: n }, () => 0)),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
);

export const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8', 'application/json; charset=latin1'];
export const OTHER_TYPES = ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/xml', 'text/json', 'application/jsonp', 'image/png', 'application/vnd.api+json'];

/** Header names a client may choose freely (undici refuses to send the hop-by-hop ones). */
const RESERVED = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'host', 'te', 'trailer', 'proxy-connection', 'content-type', 'http2-settings']);
const headerName = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,24}$/),
  fc.constantFrom('authorization', 'x-visitor-token', 'x-cm-producttoken', 'idempotency-key', 'cookie', 'x-csrf-token', 'accept', 'accept-encoding', 'content-encoding', 'origin', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-request-id', 'accept-version', 'range', 'if-none-match', 'user-agent', 'referer'),
).filter((n) => !RESERVED.has(n));
const headerValue = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,60}[\x21-\x7e])?$/),
  fc.constantFrom('Bearer', 'Bearer ', 'Basic YTpi', 'gzip', 'br', '*/*', 'baton_session=x', '0', '-1', 'Bearer \x80', 'null'),
  // Long, but four of them and the longest path stay under Node's 16 KiB for a request's head: over it is its own case.
  fc.integer({ min: 200, max: 2000 }).map((n) => 'h'.repeat(n)),
);

/** Extra headers of every kind; each case's own headers are laid over them, unless `override` lets these win. */
export const randomHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(headerName, headerValue, { maxKeys: 4, noNullPrototype: true });

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What this case is, for the failure message. */
  what: string;
  /** The one status this case must get, when the case knows it. */
  expect?: number;
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: 4 });

/** One request over real HTTP on loopback, bytes in, bytes out. */
export async function send(base: string, r: FuzzRequest): Promise<FuzzResponse> {
  const res = await request(base + r.path, { method: r.method as 'POST', headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}), dispatcher, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

/**
 * Everything a refused request must leave as it was: rows of every table that a message, a command
 * or a login writes, and the run-time switches (presence, channel activation and emergency,
 * component health). SQLite only: `||` and group_concat.
 */
export async function snapshot(s: TestServer): Promise<Record<string, unknown>> {
  const count = (t: string) => sql.raw(`(select count(*) from ${t})`);
  const { rows } = await sql<Record<string, unknown>>`select
    ${count('messages')} as messages, ${count('events')} as events, ${count('conversations')} as conversations,
    ${count('deliveries')} as deliveries, ${count('delivery_cursors')} as cursors, ${count('delivery_attempts')} as attempts,
    ${count('idempotency_keys')} as idempotency, ${count('sessions')} as logins, ${count('work_items')} as work_items,
    ${count('timers')} as timers, ${count('agent_sessions')} as agent_sessions, ${count('bot_sessions')} as bot_sessions,
    (select coalesce(sum(control_version), 0) || ':' || coalesce(sum(last_seq), 0) || ':' || coalesce(max(updated_at), '') from conversations) as control,
    (select group_concat(account_id || '/' || id || '=' || presence, ',') from agents) as presence,
    (select group_concat(account_id || '/' || id || '=' || active || coalesce(emergency, 0), ',') from channels) as channels,
    (select group_concat(id || '=' || emergency, ',') from accounts) as accounts,
    (select group_concat(account_id || '/' || id || '=' || health || coalesce(consecutive_failures, 0), ',') from components) as components`.execute(s.baton.store.kysely);
  return rows[0]!;
}

/** Baton's error shape (docs/errors.md), with the code's registered status. */
export function batonError(status: number, res: FuzzResponse): string | null {
  const b = res.json as any;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return `the body is not a JSON object: ${res.text.slice(0, 200)}`;
  const keys = Object.keys(b);
  if (keys.length !== 1 || keys[0] !== 'error') return `the body has other keys than "error": ${keys.join(', ')}`;
  const e = b.error;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || e.message.length === 0) return `error.code and error.message must be strings: ${res.text.slice(0, 200)}`;
  if (Object.keys(e).some((k) => !['code', 'message', 'details'].includes(k))) return `error has unknown keys: ${Object.keys(e).join(', ')}`;
  if (e.details !== undefined && (typeof e.details !== 'object' || e.details === null || Array.isArray(e.details))) return 'error.details must be an object';
  const known = (ERROR_CODES as Record<string, { status: number }>)[e.code];
  if (!known) return `error.code ${e.code} is not in docs/errors.md`;
  if (known.status !== status) return `error.code ${e.code} is registered with ${known.status}, answered with ${status}`;
  return null;
}

/** The Engage API's error shape: `{"error": "<code>", "message", "status"}` (README, "REST API"). */
export function engageError(status: number, res: FuzzResponse): string | null {
  const b = res.json as any;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return `the body is not a JSON object: ${res.text.slice(0, 200)}`;
  if (Object.keys(b).sort().join(',') !== 'error,message,status') return `keys are not error, message, status: ${Object.keys(b).join(', ')}`;
  if (typeof b.error !== 'string' || !(b.error in ERROR_CODES)) return `error ${String(b.error)} is not a Baton code`;
  if (typeof b.message !== 'string' || b.message.length === 0) return 'message must be a sentence';
  if (b.status !== status) return `status ${b.status} in the body, ${status} on the wire`;
  if ((ERROR_CODES as Record<string, { status: number }>)[b.error]!.status !== status) return `code ${b.error} is registered with another status than ${status}`;
  return null;
}

export interface Endpoint {
  /** `METHOD /route/:param` as registered. */
  route: string;
  cases: fc.Arbitrary<FuzzRequest>;
  /** The statuses the README / docs/errors.md document for this endpoint's refusals. */
  statuses: readonly number[];
  /** Why the body is not the documented shape for this status, or null. */
  shape(status: number, res: FuzzResponse): string | null;
}

/**
 * Runs one endpoint's cases: each answer has a documented status and shape, and the store is
 * exactly as it was before the case. Returns how long it took.
 */
export async function fuzzEndpoint(s: TestServer, e: Endpoint): Promise<number> {
  const started = Date.now();
  let n = 0;
  const statuses = new Map<number, number>();
  await fc.assert(fc.asyncProperty(e.cases, async (r) => {
    n += 1;
    const before = await snapshot(s);
    const t0 = Date.now();
    const res = await send(s.url, r);
    const ms = Date.now() - t0;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const where = `${r.method} ${r.path.length > 150 ? `${r.path.slice(0, 150)}...` : r.path} (${r.what}) answered ${res.status} ${res.text.slice(0, 300)}`;
    // One request may take its share of the process, not all of it: a refusal that blocks for seconds is an outage for everyone.
    if (ms > SLOW_MS) throw new Error(`took ${ms} ms (over ${SLOW_MS}): ${where}`);
    // Headers over Node's limit are refused before any route is chosen: 431 in Baton's shape, whatever the dialect (docs/errors.md).
    const documented = r.expect === 431 ? [...e.statuses, 431] : e.statuses;
    if (!documented.includes(res.status)) throw new Error(`undocumented status: ${where}`);
    if (r.expect !== undefined && res.status !== r.expect) throw new Error(`expected ${r.expect}: ${where}`);
    const bad = res.status === 431 ? batonError(res.status, res) : e.shape(res.status, res);
    if (bad) throw new Error(`undocumented answer: ${bad}; ${where}`);
    const after = await snapshot(s);
    for (const k of Object.keys(before)) if (before[k] !== after[k]) throw new Error(`state changed (${k}: ${String(before[k])} -> ${String(after[k])}): ${where}`);
  }), { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), interruptAfterTimeLimit: TIMEOUT_MS - 15_000, markInterruptAsFailure: true });
  const ms = Date.now() - started;
  const health = await send(s.url, { method: 'GET', path: '/healthz', headers: {}, what: 'health' });
  if (health.status !== 200) throw new Error(`Baton stopped answering after ${e.route}: /healthz ${health.status}`);
  const seen = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`).join(', ');
  console.info(`[fuzz] ${e.route}: ${n} cases in ${(ms / 1000).toFixed(1)} s (${seen})`);
  return ms;
}

/** Percent-encoded, undecodable, or overlong path segments. */
export const badSegment: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).map((x) => encodeURIComponent(x)).filter((x) => x !== '.' && x !== '..'),
  // Not `..` nor `%2e%2e`: the client's URL parser resolves them before anything is sent.
  fc.constantFrom('%ff', '%', '%e2%82', '%c0%80', '%00', '%zz', '%2F', '%20', 'a%ffb', '%ed%a0%80', '.x', '~'),
  fc.integer({ min: 100, max: 3000 }).map((n) => 'z'.repeat(n)),
);

/** A route's path with its params filled; one of them may be replaced by a bad segment. */
export function pathOf(route: string, params: Record<string, string>, bad?: { param: string; segment: string }): string {
  return route.replace(/:([A-Za-z]+)/g, (_m, name: string) => (bad?.param === name ? bad.segment : encodeURIComponent(params[name]!)));
}

/** The body kinds every JSON endpoint is fuzzed with, from its valid bodies and its structurally invalid ones. */
export interface BodyKinds {
  valid: fc.Arbitrary<unknown>;
  /** Bodies refused for their content (a field missing, of a wrong type, ...). */
  invalid: fc.Arbitrary<{ body: unknown; what: string }>;
  /** Whether an empty body is refused (it is no body at all for some routes). */
  emptyRefused: boolean;
  /** Whether a JSON text that is not an object is refused. */
  nonObjectRefused: boolean;
  /** Whether any content type other than JSON is refused. */
  otherTypesRefused: boolean;
  /** For huge values put into an invalid body: is it still invalid? (Absent: huge values are not added.) */
  stillInvalid?: (body: unknown) => boolean;
}

export interface BodyCase {
  body: Buffer | undefined;
  contentType: string | undefined;
  what: string;
}

const json = (arb: fc.Arbitrary<{ body: Buffer; what: string }>): fc.Arbitrary<BodyCase> =>
  fc.tuple(arb, fc.constantFrom(...JSON_TYPES)).map(([b, contentType]) => ({ ...b, contentType }));

/** Every kind of refused body, weighted so that each kind gets a fair share of the runs. */
export function refusedBodies(k: BodyKinds): fc.Arbitrary<BodyCase> {
  const kinds: fc.WeightedArbitrary<BodyCase>[] = [
    { weight: 6, arbitrary: json(k.invalid.map(({ body, what }) => ({ body: encode(body), what }))) },
    { weight: 2, arbitrary: json(truncatedOf(fc.oneof(k.valid, k.invalid.map((x) => x.body)))) },
    { weight: 2, arbitrary: json(garbage) },
    { weight: 2, arbitrary: json(withBadUtf8(k.valid)) },
    { weight: 2, arbitrary: json(withDeepNesting(k.valid)) },
    { weight: 1, arbitrary: json(oversize(k.valid)) },
  ];
  if (k.emptyRefused) kinds.push({ weight: 1, arbitrary: json(fc.constant({ body: Buffer.alloc(0), what: 'an empty body' })) });
  if (k.nonObjectRefused) kinds.push({ weight: 1, arbitrary: json(notAnObject) });
  if (k.otherTypesRefused) {
    kinds.push({ weight: 1, arbitrary: fc.tuple(k.valid, fc.constantFrom(...OTHER_TYPES, undefined)).map(([v, contentType]) => ({ body: encode(v), contentType, what: `a valid body sent as ${contentType ?? 'no content type'}` })) });
  }
  if (k.stillInvalid) {
    const check = k.stillInvalid;
    kinds.push({
      weight: 1,
      arbitrary: json(fc.tuple(k.invalid, fc.nat(), hugeValue).map(([{ body, what }, pick, huge]) => {
        const { value, at } = replaceNode(body, pick, huge, false);
        return { value, what: `${what}, and a huge value at ${at}` };
      }).filter(({ value }) => check(value) && encode(value).length < BODY_LIMIT).map(({ value, what }) => ({ body: encode(value), what }))),
    });
  }
  return fc.oneof(...kinds);
}

export interface CaseSpec {
  method: string;
  route: string;
  params: Record<string, string>;
  /** The credentials that let a request through to its body (laid over the random headers). */
  auth: Record<string, string>;
  bodies: fc.Arbitrary<BodyCase>;
  /** Credentials that do not (each case uses them instead of `auth` now and then). */
  badAuth?: fc.Arbitrary<Record<string, string>>;
  /** Path params that may be replaced by a bad segment. */
  fuzzParams?: string[];
  /** A query string to add, e.g. an Engage access token. */
  query?: fc.Arbitrary<string>;
}

/** Requests for one route: refused bodies, random headers, now and then a bad path param or bad credentials. */
export function casesFor(c: CaseSpec): fc.Arbitrary<FuzzRequest> {
  const fuzzParams = (c.fuzzParams ?? Object.keys(c.params)).filter((p) => c.route.includes(`:${p}`));
  const badPath = fuzzParams.length > 0
    ? fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...fuzzParams), badSegment).map(([param, segment]) => ({ param, segment })) })
    : fc.constant(null);
  const auth = c.badAuth ? fc.oneof({ weight: 9, arbitrary: fc.constant(c.auth) }, { weight: 1, arbitrary: c.badAuth }) : fc.constant(c.auth);
  const oversized = fc.oneof({ weight: 39, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 17_000, max: 40_000 }) });
  return fc.tuple(c.bodies, randomHeaders, badPath, auth, c.query ?? fc.constant(''), oversized).map(([b, random, bad, credentials, query, padding]) => {
    const headers: Record<string, string> = { ...random, ...credentials };
    if (b.contentType !== undefined) headers['content-type'] = b.contentType;
    if (padding > 0) headers['x-padding'] = 'p'.repeat(padding);
    const path = pathOf(c.route, c.params, bad ?? undefined) + query;
    const notes = [b.what, ...(bad ? [`path param ${bad.param} = ${bad.segment.slice(0, 40)}`] : []), ...(credentials !== c.auth ? [`credentials ${JSON.stringify(credentials).slice(0, 80)}`] : []), ...(Object.keys(random).length ? [`headers ${Object.keys(random).join(',')}`] : []), ...(padding > 0 ? [`a ${padding}-character header`] : [])];
    return { method: c.method, path, headers, ...(b.body !== undefined ? { body: b.body } : {}), what: notes.join('; '), ...(padding > 0 ? { expect: 431 } : {}) };
  });
}
