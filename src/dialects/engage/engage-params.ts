import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BatonError } from '../../core/errors.js';
import { urlEncodedFields } from '../../edge-kit/form-data.js';
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

/**
 * Body parsers for the Engage scope only: forms (what `curl -d` and axios send for a string or no
 * data, often with an empty body on PUT) and JSON, where an empty body is no parameters at all.
 */
export function acceptEngageBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, urlEncodedFields(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(app, { empty: () => ({}) }));
  // Anything else carries no parameters Baton reads; the query string still does.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _body, done) => done(null, {}));
}
