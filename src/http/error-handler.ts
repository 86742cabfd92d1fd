import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BatonError, ERROR_CODES, type ErrorCode, isBatonError } from '../core/errors.js';
import { diskFullError, isDiskFull } from '../store/disk-full.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function errorBody(code: ErrorCode, message?: string, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message: message ?? ERROR_CODES[code].message, ...(details ? { details } : {}) } };
}

/** Fastify's own failures, translated to Baton's codes so every answer has one shape. */
function fromFastify(err: FastifyError): BatonError | null {
  if (err.validation) {
    const first = err.validation[0];
    const where = err.validationContext ?? 'request';
    const path = first?.instancePath ? `${where}${first.instancePath.replace(/\//g, '.')}` : where;
    const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const extra = (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    const what = missing ? `${path}.${missing} is required` : extra ? `${path}.${extra} is not a known field` : `${path} ${first?.message ?? 'is not valid'}`;
    return new BatonError('validation_failed', `The request is not valid: ${what}.`, { problems: err.validation.map((v) => ({ path: v.instancePath, message: v.message, params: v.params })) });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new BatonError('invalid_json', `The request body is not valid JSON: ${err.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BatonError('payload_too_large', 'The request body is larger than the limit (1 MiB unless the operator set another).');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new BatonError('unsupported_media_type', `Content-Type ${err.message.replace(/^Unsupported Media Type: /, '')} is not accepted here; send application/json.`);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BatonError('bad_request', 'The Content-Length header does not match the body.');
    default:
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new BatonError('bad_request', err.message);
      return null;
  }
}

/** The one place where errors become HTTP answers. Dialects with their own error shapes set their own handler. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    // A write outside the group commit (a session, an idempotency key) meets a full disk as the engine's own error.
    const baton = isBatonError(err) ? err : isDiskFull(err) ? diskFullError(err) : fromFastify(err);
    if (baton) {
      if (baton.status >= 500) req.log.error({ err }, baton.message);
      const retryAfter = baton.details?.['retryAfterSeconds'];
      if (baton.status === 503 && typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
      void reply.status(baton.status).send(errorBody(baton.code, baton.message, baton.details));
      return;
    }
    req.log.error({ err }, 'unhandled error');
    void reply.status(500).send(errorBody('internal'));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(errorBody('not_found', `No route ${req.method} ${req.url.split('?')[0]}.`));
  });
}

/** How a part of the API that has its own error shape answers a request whose path Fastify could not route. */
export interface PathErrorAnswer {
  /** The part's prefix, as its routes are registered under it. */
  prefix: string;
  answer(reply: FastifyReply, message: string): void;
}

/**
 * Fastify's `frameworkErrors`: a path parameter that is not percent-encoded UTF-8 (`/v1/conversations/%ff`),
 * or longer than the router takes, fails before any route or scope is chosen, where Fastify would
 * answer in a shape of its own (and 414 for the long one). Every such path is a bad request,
 * answered in the shape of the part of the API it was meant for.
 */
export function pathErrorHandler(parts: readonly PathErrorAnswer[]) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    const path = req.url.split('?')[0]!;
    const part = parts.find((p) => path.startsWith(p.prefix));
    if (err.code !== 'FST_ERR_BAD_URL' && err.code !== 'FST_ERR_MAX_PARAM_LENGTH') {
      req.log.error({ err }, 'routing failed');
      void reply.status(500).send(errorBody('internal'));
      return;
    }
    const message = err.code === 'FST_ERR_BAD_URL'
      ? `The path ${path.slice(0, 200)} has a part that is not percent-encoded UTF-8.`
      : 'The path has a part that is too long to name anything here.';
    if (part) part.answer(reply, message);
    else void reply.status(400).send(errorBody('bad_request', message));
  };
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses before Fastify sees them
 * (headers over Node's 16 KiB limit, a request that does not arrive in time, bytes that are not
 * HTTP), answered in Baton's shape as Fastify's own handler would answer them in its shape, and
 * the connection closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'bad_request';
  const { status } = ERROR_CODES[code];
  const body = JSON.stringify(errorBody(code, code === 'bad_request' ? 'The request is not valid HTTP.' : undefined));
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy(err);
}
