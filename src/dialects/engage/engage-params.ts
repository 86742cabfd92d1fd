import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../../core/errors.js';
import { strictJsonParser } from '../../edge-kit/json-body.js';

/**
 * Engage API parameters may come in the query string, a form body or a JSON body (seed 003's
 * examples use all of `?access_token=`, `curl -d "source_id=...&body=..."`); they are read as
 * one bag, the body winning. Multiple values are sent as `name[]=a&name[]=b`.
 */
export type EngageParams = Record<string, unknown>;

export function engageParams(req: FastifyRequest): EngageParams {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const body = req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
  return { ...query, ...body };
}

/** One value: the first when the parameter came several times. */
export function param(p: EngageParams, name: string): string | undefined {
  const v = p[name] ?? p[`${name}[]`];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === null) return undefined;
  return typeof first === 'string' ? first : typeof first === 'number' || typeof first === 'boolean' ? String(first) : undefined;
}

/**
 * A multiple parameter, as `name[]` (the documented form) or plain `name`. Its values are ids, so
 * anything but strings is refused rather than dropped: `[1, 2]` must not become an empty list.
 */
export function listParam(p: EngageParams, name: string): string[] | undefined {
  const v = p[`${name}[]`] ?? p[name];
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === 'string')) throw new BatonError('validation_failed', `${name}[]: every value must be a string, not ${JSON.stringify(v).slice(0, 60)}.`);
  return list as string[];
}

export function requiredParam(p: EngageParams, name: string, why = 'This parameter is mandatory.'): string {
  const v = param(p, name);
  if (v === undefined || v === '') throw new BatonError('validation_failed', `${name}: ${why}`);
  return v;
}

/** A form name or value: `+` is a space, and a percent-encoding that is not UTF-8 is refused rather than turned into U+FFFD. */
function formText(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new BatonError('bad_request', 'The form body is not percent-encoded UTF-8.');
  }
}

function formFields(text: string): Record<string, string | string[]> {
  // No prototype: a field named __proto__ is a field like any other.
  const out: Record<string, string | string[]> = Object.create(null);
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = formText(eq < 0 ? pair : pair.slice(0, eq));
    const v = eq < 0 ? '' : formText(pair.slice(eq + 1));
    const prev = out[k];
    // Appended in place: copying the list at every value made a 1 MiB form of one repeated name take a minute.
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

/**
 * Body parsers for the Engage scope only: forms (what `curl -d` and axios send for a string or no
 * data, often with an empty body on PUT) and JSON, where an empty body is no parameters at all.
 */
export function acceptEngageBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      if (!isUtf8(body as Buffer)) throw new BatonError('bad_request', 'The form body is not UTF-8.');
      done(null, formFields((body as Buffer).toString('utf8')));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(app, { empty: () => ({}) }));
  // Anything else carries no parameters Baton reads; the query string still does.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, {}));
}
