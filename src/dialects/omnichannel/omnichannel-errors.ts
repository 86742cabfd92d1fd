import { BatonError } from '../../core/errors.js';
import type { ErrorRenderer } from '../../edge-kit/errors.js';
import { omnichannelInboundPath } from './omnichannel-paths.js';

/**
 * Seed 004's answer, to the byte, when the token names no channel or the channel is switched off.
 * It says no more on purpose: which tokens exist is nobody's business without one.
 */
export const NO_ACTIVE_CHANNEL = Object.freeze({ error: 'There is no active channel for received event.' });

// The other answers keep the document's `error` string and add `detail`, naming what was wrong.
export const MISSING = 'A required parameter is missing in the request body.';
export const MALFORMED = 'Incorrect JSON of the request body.';
const NOT_FOUND = 'Incorrect URL.';
const INTERNAL = 'Internal server error.';

/** One of seed 004's answers: its `error` sentence, and what was wrong. */
export function omnichannelError(error: string, detail: string): { error: string; detail: string } {
  return { error, detail };
}

/** Baton's sentence as a `detail`: "The request body is empty." becomes "the body is empty". */
function detailOf(err: BatonError): string {
  const m = err.message.replace(/^The request body/, 'the body').replace(/\.$/, '');
  return m.charAt(0).toLowerCase() + m.slice(1);
}

/**
 * Seed 004's statuses: a wrong URL is 404, every body Baton cannot read is a 500 "Incorrect JSON",
 * and anything else a 500 "Internal server error" (the message was not accepted).
 */
export const omnichannelErrors: ErrorRenderer = {
  shape: 'omnichannel',
  render(err) {
    switch (err.code) {
      case 'not_found':
        return { status: 404, body: omnichannelError(NOT_FOUND, err.message) };
      case 'unsupported_media_type':
        return { status: 500, body: omnichannelError(MALFORMED, 'send the body as JSON, with content-type application/json') };
      case 'invalid_json':
      case 'payload_too_large':
      case 'bad_request':
        return { status: 500, body: omnichannelError(MALFORMED, detailOf(err)) };
      case 'store_full':
        // Passing: 503 with Retry-After, so the client server sends the same message again.
        return { status: 503, body: omnichannelError(INTERNAL, detailOf(err)) };
      default:
        return { status: 500, body: omnichannelError(INTERNAL, 'Baton could not take the message; it was not accepted, send it again later') };
    }
  },
  notFound: (method, path) => new BatonError('not_found', `No route ${method} ${path}; the client server posts to POST ${omnichannelInboundPath('{token}')}.`),
  badPath: (message) => new BatonError('not_found', `${message} The client server posts to POST ${omnichannelInboundPath('{token}')}.`),
};
