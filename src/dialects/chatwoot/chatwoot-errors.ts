import { BatonError } from '../../core/errors.js';
import type { ErrorRenderer } from '../../edge-kit/errors.js';

/**
 * Chatwoot's API answers a refusal as `{"error": "<sentence>"}` (Rails' `render json: { error: }`);
 * Baton's code rides beside it as `code`, and the status is Baton's (docs/errors.md).
 */
export const chatwootErrors: ErrorRenderer = {
  shape: 'chatwoot',
  render: (err: BatonError) => ({ status: err.status, body: { error: err.message, code: err.code } }),
  notFound: (method, path) => new BatonError('not_found', `No Chatwoot API route ${method} ${path}.`),
};
