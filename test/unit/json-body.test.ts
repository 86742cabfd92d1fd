import Fastify, { type FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { isBatonError } from '../../src/core/errors.js';
import { MAX_JSON_DEPTH, strictJsonParser } from '../../src/edge-kit/json-body.js';

function parse(body: string | Buffer, opts: { empty?: () => unknown } = {}): { ok: true; value: unknown } | { ok: false; code: string; message: string } {
  const parser = strictJsonParser(Fastify(), opts);
  let out: ReturnType<typeof parse> | undefined;
  parser({} as FastifyRequest, Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), (err, value) => {
    out = err ? { ok: false, code: isBatonError(err) ? err.code : 'not a BatonError', message: err.message } : { ok: true, value };
  });
  return out!;
}

describe('the JSON body parser', () => {
  it('reads UTF-8 JSON as JSON.parse does', () => {
    expect(parse('{"a":[1,{"b":"é😀"}],"c":null}')).toEqual({ ok: true, value: { a: [1, { b: 'é😀' }], c: null } });
  });

  it('refuses a lone surrogate escape in a value or a key, and takes escaped pairs', () => {
    expect(parse('{"customer":"a\\ud800"}')).toMatchObject({ ok: false, code: 'invalid_json', message: expect.stringContaining('lone UTF-16 surrogate') });
    expect(parse('{"chat_id":"\\udc00b"}')).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(parse('{"x":[{"\\udbff":1}]}')).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(parse('{"text":"\\ud83d\\ude00"}')).toEqual({ ok: true, value: { text: '😀' } });
  });

  it('refuses bytes that are not UTF-8 instead of replacing them', () => {
    const bad = Buffer.concat([Buffer.from('{"messageId":"m'), Buffer.from([0xff]), Buffer.from('"}')]);
    expect(parse(bad)).toMatchObject({ ok: false, code: 'invalid_json', message: expect.stringContaining('UTF-8') });
  });

  it(`takes ${MAX_JSON_DEPTH} levels and refuses one more, counting only brackets outside strings`, () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(parse(nest(MAX_JSON_DEPTH))).toMatchObject({ ok: true });
    expect(parse(nest(MAX_JSON_DEPTH + 1))).toMatchObject({ ok: false, code: 'invalid_json', message: expect.stringContaining(`${MAX_JSON_DEPTH} levels`) });
    expect(parse(`{"a":"${'['.repeat(500)}\\"${'{'.repeat(500)}"}`)).toMatchObject({ ok: true });
    expect(parse(`{"a":${'{"b":'.repeat(200_000)}1${'}'.repeat(200_000)}}`)).toMatchObject({ ok: false, code: 'invalid_json' });
  });

  it('refuses an empty body unless the route says what it is, and __proto__ keys', () => {
    expect(parse('')).toMatchObject({ ok: false, code: 'invalid_json', message: 'The request body is empty.' });
    expect(parse('  \n', { empty: () => ({}) })).toEqual({ ok: true, value: {} });
    expect(parse('{"__proto__":{"admin":true}}')).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(parse('{"a":1')).toMatchObject({ ok: false, code: 'invalid_json' });
  });
});
