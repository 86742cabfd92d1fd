import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { BatonError, isBatonError } from '../../core/errors.js';

/** Engage's error shape: `{"error": "error_identifier", "message": "...", "status": 403}`. */
export function engageErrorBody(err: BatonError): { error: string; message: string; status: number } {
  return { error: err.code, message: err.message, status: err.status };
}

/** Errors in the Engage scope answer in Engage's shape, with Baton's codes as identifiers. */
export function installEngageErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let baton: BatonError;
    if (isBatonError(err)) baton = err;
    else if (err.validation || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) baton = new BatonError('bad_request', err.message);
    else {
      req.log.error({ err }, 'unhandled error');
      baton = new BatonError('internal');
    }
    void reply.status(baton.status).send(engageErrorBody(baton));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(engageErrorBody(new BatonError('not_found', `No Engage API route ${req.method} ${req.url.split('?')[0]}.`)));
  });
}

/** A path under /1.0 that Fastify could not route (a param that is not UTF-8): a bad request, in Engage's shape. */
export function engagePathError(reply: FastifyReply, message: string): void {
  void reply.status(400).send(engageErrorBody(new BatonError('bad_request', message)));
}
