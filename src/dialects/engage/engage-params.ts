import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../../core/errors.js';

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

/** A multiple parameter, as `name[]` (the documented form) or plain `name`. */
export function listParam(p: EngageParams, name: string): string[] | undefined {
  const v = p[`${name}[]`] ?? p[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

export function requiredParam(p: EngageParams, name: string, why = 'This parameter is mandatory.'): string {
  const v = param(p, name);
  if (v === undefined || v === '') throw new BatonError('validation_failed', `${name}: ${why}`);
  return v;
}

function formFields(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/**
 * Body parsers for the Engage scope only: forms (what `curl -d` and axios send for a string or no
 * data, often with an empty body on PUT) and JSON, where an empty body is no parameters at all.
 */
export function acceptEngageBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, formFields(body as string)));
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new BatonError('invalid_json', `The request body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });
  // Anything else carries no parameters Baton reads; the query string still does.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, {}));
}
