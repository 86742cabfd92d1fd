import { BatonError } from '../../core/errors.js';
import type { ErrorRenderer } from '../../edge-kit/errors.js';

/** Engage's error shape: `{"error": "error_identifier", "message": "...", "status": 403}`. */
export function engageErrorBody(err: BatonError): { error: string; message: string; status: number } {
  return { error: err.code, message: err.message, status: err.status };
}

/** Errors under /1.0 answer in Engage's shape, with Baton's codes as identifiers and Baton's statuses. */
export const engageErrors: ErrorRenderer = {
  shape: 'engage',
  render: (err) => ({ status: err.status, body: engageErrorBody(err) }),
  notFound: (method, path) => new BatonError('not_found', `No Engage API route ${method} ${path}.`),
};
