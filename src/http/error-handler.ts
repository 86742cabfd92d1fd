import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BatonError, ERROR_CODES, type ErrorCode } from '../core/errors.js';
import { batonErrors, errorBody, type ErrorRenderer, installErrorRenderer } from '../edge-kit/errors.js';

/** The one place where errors become HTTP answers, in Baton's shape; dialects with a shape of their own install theirs on their scope. */
export function installErrorHandler(app: FastifyInstance): void {
  installErrorRenderer(app, batonErrors);
}

/** A part of the API that has its own error shape, by the prefix its routes are registered under. */
export interface PathErrorAnswer {
  prefix: string;
  errors: ErrorRenderer;
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
    const errors = part?.errors ?? batonErrors;
    const { status, body } = errors.render(errors.badPath?.(message) ?? new BatonError('bad_request', message));
    void reply.status(status).send(body);
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
