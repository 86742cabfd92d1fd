import type { FastifyError, FastifyInstance } from 'fastify';
import Type from 'typebox';
import { diskFullError, isDiskFull } from '../core/disk-full.js';
import { BatonError, ERROR_CODES, type ErrorCode, isBatonError } from '../core/errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Baton's error shape for the OpenAPI document; routes answer it as `Type.Ref('Error')`. */
export const ErrorSchema = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }),
}, { $id: 'Error', description: 'Every error answer: a stable code, a sentence, and sometimes details.' });

export function errorBody(code: ErrorCode, message?: string, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message: message ?? ERROR_CODES[code].message, ...(details ? { details } : {}) } };
}

/**
 * How one dialect writes an error on the wire. Every refusal of its routes, the framework's own
 * included, is first translated to a BatonError (`toBatonError`) and then rendered here, so a
 * status means the same thing in every shape (413 stays 413) unless the dialect's document says
 * otherwise.
 */
export interface ErrorRenderer {
  /** The shape's name, as docs/errors.md lists it. */
  shape: string;
  render(err: BatonError): { status: number; body: unknown };
  /** The error a path that names nothing is, in this dialect (a `not_found` by default); null leaves such paths to Baton's shape. */
  notFound?: ((method: string, path: string) => BatonError) | null;
  /** The error a path the router could not read is (not UTF-8, too long); a `bad_request` by default. */
  badPath?(message: string): BatonError;
}

/** Baton's own shape, `{"error": {"code", "message", "details"?}}`: every route without a shape of its own. */
export const batonErrors: ErrorRenderer = {
  shape: 'baton',
  render: (err) => ({ status: err.status, body: errorBody(err.code, err.message, err.details) }),
};

// Drivers' codes for a database that is not there (PostgreSQL class 08 and 57P0x, sockets, SQLite
// files), and what the query layer says once the store is closed (a process on its way down).
const OUTAGE_CODES = /^(08|57P0[1-3]$|ECONNREFUSED$|ECONNRESET$|ETIMEDOUT$|ENOTFOUND$|EPIPE$|SQLITE_(BUSY|CANTOPEN|IOERR|LOCKED|READONLY))/;
// pg's "not queryable" is what the ROLLBACK after a failed statement meets on a connection the
// server's death broke; Kysely throws it in place of the statement's own error.
const OUTAGE_MESSAGES = /database connection is not open|driver has already been destroyed|Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client has encountered a connection error and is not queryable|Client was closed and is not queryable/i;

/**
 * How long a client is asked to wait when the database is not there: a restart or failover takes
 * seconds, and channels that honour `Retry-After` should not hammer a server coming back up.
 */
export const STORE_OUTAGE_RETRY_AFTER_SECONDS = 5;

/** `store_unavailable` with its `Retry-After`; `message` says what could not be reached. */
export function storeOutageError(message = 'The store cannot be reached; nothing was changed, try again shortly.'): BatonError {
  return new BatonError('store_unavailable', message, { retryAfterSeconds: STORE_OUTAGE_RETRY_AFTER_SECONDS });
}

/** Whether an error says the store could not be reached, rather than that something was not in it. */
export function isStoreOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && OUTAGE_CODES.test(code)) || OUTAGE_MESSAGES.test(err.message);
}

/**
 * The one translation of whatever a route or the framework threw into Baton's codes; null for a
 * fault inside Baton (answered `internal`, and logged).
 */
export function toBatonError(err: unknown): BatonError | null {
  if (isBatonError(err)) return err;
  // A write outside the group commit (a session, an idempotency key) meets a full disk as the engine's own error.
  if (isDiskFull(err)) return diskFullError(err);
  if (isStoreOutage(err)) return storeOutageError();
  const e = err as FastifyError;
  if (e.validation) {
    const first = e.validation[0];
    const where = e.validationContext ?? 'request';
    const path = first?.instancePath ? `${where}${first.instancePath.replace(/\//g, '.')}` : where;
    const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const extra = (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    const what = missing ? `${path}.${missing} is required` : extra ? `${path}.${extra} is not a known field` : `${path} ${first?.message ?? 'is not valid'}`;
    return new BatonError('validation_failed', `The request is not valid: ${what}.`, { problems: e.validation.map((v) => ({ path: v.instancePath, message: v.message, params: v.params })) });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new BatonError('invalid_json', `The request body is not valid JSON: ${e.message}`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new BatonError('invalid_json', 'The request body is empty.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BatonError('payload_too_large', 'The request body is larger than the limit (1 MiB unless the operator set another).');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new BatonError('unsupported_media_type', `Content-Type ${e.message.replace(/^Unsupported Media Type: /, '')} is not accepted here; send application/json.`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BatonError('bad_request', 'The Content-Length header does not match the body.');
    default:
      if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new BatonError('bad_request', e.message);
      return null;
  }
}

/** Makes `renderer` answer every error and every unknown path of `scope`. */
export function installErrorRenderer(scope: FastifyInstance, renderer: ErrorRenderer): void {
  scope.setErrorHandler((err, req, reply) => {
    const baton = toBatonError(err);
    if (!baton) req.log.error({ err }, 'unhandled error');
    else if (baton.status >= 500) req.log.error({ err }, baton.message);
    const { status, body } = renderer.render(baton ?? new BatonError('internal'));
    const retryAfter = baton?.details?.['retryAfterSeconds'];
    if (status === 503 && typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    void reply.status(status).send(body);
  });
  if (renderer.notFound === null) return;
  scope.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const { status, body } = renderer.render(renderer.notFound?.(req.method, path) ?? new BatonError('not_found', `No route ${req.method} ${path}.`));
    void reply.status(status).send(body);
  });
}
