import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../core/errors.js';

/**
 * How deep a JSON body may nest. Nothing a bot, a desk or a channel sends comes close (.NET's
 * System.Text.Json, which CM's Bot Router runs on, stops at 64 too), while a 1 MiB body can nest
 * half a million levels deep and a few thousand already exhaust the stack of JSON.stringify and of
 * every recursive reader behind the parser.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether a JSON text opens more than MAX_JSON_DEPTH arrays or objects at once (brackets inside strings do not count). */
function tooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * The text of a JSON body, or `invalid_json`. JSON exchanged between systems must be UTF-8
 * (RFC 8259, section 8.1): decoding anything else would replace the bad bytes with U+FFFD, so
 * that two different message ids, customers or idempotency keys would silently become one.
 */
export function jsonBodyText(raw: Buffer): string {
  if (!isUtf8(raw)) throw new BatonError('invalid_json', 'The request body is not valid JSON: it is not UTF-8 (RFC 8259, section 8.1).');
  return raw.toString('utf8');
}

/**
 * Whether a parsed body holds a string with a lone surrogate (`"\ud800"` is valid JSON but no
 * text): stored and compared, two different such ids would collapse into one, so they are refused.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => LONE_SURROGATE.test(k) || hasLoneSurrogate(v));
  return false;
}

/** Only a body that escapes a surrogate can hold a lone one; the others are not walked. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

type Done = (err: Error | null, body?: unknown) => void;

/**
 * The JSON body parser of every route: UTF-8 only, at most MAX_JSON_DEPTH deep, then Fastify's own
 * parser (which refuses `__proto__` keys). Every refusal is `invalid_json`, which each scope's
 * error handler answers in its dialect's shape. `empty` says what a body of only whitespace is
 * for routes that take "no body" as no parameters; without it such a body is refused.
 *
 * @example app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(app))
 */
export function strictJsonParser(app: FastifyInstance, opts: { empty?: () => unknown } = {}) {
  const parse = app.getDefaultJsonParser('error', 'ignore');
  return (req: FastifyRequest, raw: Buffer, done: Done): void => {
    let text: string;
    try {
      text = jsonBodyText(raw);
    } catch (err) {
      done(err as Error);
      return;
    }
    if (text.trim() === '') {
      if (opts.empty) done(null, opts.empty());
      else done(new BatonError('invalid_json', 'The request body is empty.'));
      return;
    }
    if (tooDeep(text)) {
      done(new BatonError('invalid_json', `The request body is not valid JSON for Baton: it nests deeper than ${MAX_JSON_DEPTH} levels.`));
      return;
    }
    parse(req, text, (err, body) => {
      if (err) done(new BatonError('invalid_json', `The request body is not valid JSON: ${err.message}`));
      else if (SURROGATE_ESCAPE.test(text) && hasLoneSurrogate(body)) done(new BatonError('invalid_json', 'The request body is not valid text: a string holds a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape).'));
      else done(null, body);
    });
  };
}
