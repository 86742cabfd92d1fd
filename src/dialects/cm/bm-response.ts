import type { ErrorRenderer } from '../../edge-kit/errors.js';

/**
 * The Business Messaging API's answer (CM "Responses & Errors - JSON"; the field names of the
 * `MessagesResponse` / `MessageResponse` types of CM's SDKs): one entry per recipient of every
 * message, `Accepted` or `Rejected` with the reason.
 *
 * @example 200 { "details": "Created 1 message(s)", "errorCode": 0, "messages": [{ "to": "+3161…",
 *   "status": "Accepted", "reference": "r1", "parts": 1, "messageDetails": null, "messageErrorCode": 0 }] }
 */
export interface BmResponse {
  details: string;
  errorCode: number;
  messages: BmEntry[];
}

export interface BmEntry {
  to: string;
  status: 'Accepted' | 'Rejected';
  reference: string | null;
  parts: number;
  messageDetails: string | null;
  messageErrorCode: number;
}

/**
 * CM's request-level codes: 101 authentication failed, 202 malformed request, 203 bad msg array,
 * 201 some messages refused, 999 unknown. Message-level: 301 from, 302 to, 304 body, 403 rejected.
 */
export const BM = { ok: 0, authenticationFailed: 101, notAllSent: 201, malformed: 202, msgArrayIncorrect: 203, toInvalid: 302, rejected: 403, unknown: 999 } as const;

export function accepted(to: string, reference: string | null): BmEntry {
  return { to, status: 'Accepted', reference, parts: 1, messageDetails: null, messageErrorCode: 0 };
}

export function rejected(to: string, reference: string | null, code: number, details: string): BmEntry {
  return { to, status: 'Rejected', reference, parts: 0, messageDetails: details, messageErrorCode: code };
}

/** A request refused as a whole: 400 with no entries (CM: "Entire request incorrect"). */
export function refusedRequest(errorCode: number, details: string): BmResponse {
  return { details, errorCode, messages: [] };
}

/** The answer to a request whose messages were read: 200 unless none was accepted (then 400, as CM does). */
export function answer(entries: BmEntry[]): { status: 200 | 400; body: BmResponse } {
  const created = entries.filter((e) => e.status === 'Accepted').length;
  const errorCode = created === entries.length ? BM.ok : BM.notAllSent;
  return { status: created > 0 ? 200 : 400, body: { details: `Created ${created} message(s)`, errorCode, messages: entries } };
}

/**
 * Failures before the handler (not JSON, not UTF-8, another media type, too large) in the same
 * shape, and with CM's one status for a request refused whole: 400, errorCode 202 (README).
 */
export const bmProxyErrors: ErrorRenderer = {
  shape: 'cm-bmproxy',
  render: (err) => err.status < 500
    ? { status: 400, body: refusedRequest(BM.malformed, `The request is malformed: ${err.message}`) }
    // A full disk is passing: 503 with Retry-After tells the bot to send the same request again.
    : err.code === 'store_full'
      ? { status: 503, body: refusedRequest(BM.unknown, `Unknown error: ${err.message}`) }
      : { status: 500, body: refusedRequest(BM.unknown, 'Unknown error: Baton could not take the request; its log has the details.') },
  // CM documents no answer for a path it does not serve: those keep Baton's 404.
  notFound: null,
};
