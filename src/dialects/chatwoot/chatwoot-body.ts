import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../../core/errors.js';
import { type FormData, type FormFile, multipartFields, urlEncodedFields } from '../../edge-kit/form-data.js';
import { strictJsonParser } from '../../edge-kit/json-body.js';

/** A multipart body once parsed, told apart from a JSON object that happens to look like one. */
class MultipartBody {
  constructor(readonly form: FormData) {}
}

/** What a call sent, wherever it sent it: the query string, then a JSON, form or multipart body. */
export interface ChatwootParams {
  values: Record<string, unknown>;
  files: FormFile[];
}

export function chatwootParams(req: FastifyRequest): ChatwootParams {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const body = req.body;
  if (body instanceof MultipartBody) return { values: { ...query, ...body.form.fields }, files: body.form.files };
  const values = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  return { values: { ...query, ...values }, files: [] };
}

/**
 * Chatwoot clients post JSON (its SDKs, most bots) or multipart forms (any client that attaches a
 * file, and some that never do); a few send URL-encoded forms. Everything else carries no fields.
 */
export function acceptChatwootBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(app, { empty: () => ({}) }));
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
    try {
      done(null, new MultipartBody(multipartFields(body as Buffer, req.headers['content-type'])));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, urlEncodedFields(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, {}));
}

/** One text value; a field sent several times is refused, a number or boolean read as text. */
export function text(p: ChatwootParams, name: string): string | undefined {
  const v = p.values[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new BatonError('validation_failed', `${name}: must be a single text value, not ${JSON.stringify(v).slice(0, 60)}.`);
}

/** A boolean as JSON (`true`) or a form (`"true"`, `"1"`) sends it. */
export function flag(p: ChatwootParams, name: string): boolean {
  const v = p.values[name];
  if (v === undefined || v === null || v === false || v === 'false' || v === '0' || v === '' || v === 0) return false;
  if (v === true || v === 'true' || v === '1' || v === 1) return true;
  throw new BatonError('validation_failed', `${name}: must be true or false, not ${JSON.stringify(v).slice(0, 60)}.`);
}

/** An object field, as JSON bodies carry it (a form's nested `a[b]` fields are not read). */
export function object(p: ChatwootParams, name: string): Record<string, unknown> {
  const v = p.values[name];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new BatonError('validation_failed', `${name}: must be a JSON object.`);
  return v as Record<string, unknown>;
}
