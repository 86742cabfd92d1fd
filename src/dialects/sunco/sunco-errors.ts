import { BatonError } from '../../core/errors.js';
import type { ErrorRenderer } from '../../edge-kit/errors.js';

/**
 * Sunshine Conversations' error shape (its OpenAPI document, "Errors"): `{"errors": [{"code",
 * "title"}]}`, with Baton's codes and statuses, so `conversation_not_found`, `forbidden` and
 * `unauthorized` read as the document's own examples do.
 */
export const suncoErrors: ErrorRenderer = {
  shape: 'sunco',
  render: (err) => ({ status: err.status, body: { errors: [{ code: err.code, title: err.message }] } }),
  notFound: (method, path) => new BatonError('not_found', `No Sunshine Conversations API route ${method} ${path}.`),
};
