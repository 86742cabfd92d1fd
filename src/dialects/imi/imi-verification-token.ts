import type { EndpointResponse } from '../../delivery/ports.js';

/** The header a generic bot may answer with its verification token in. */
export const VERIFICATION_TOKEN_HEADER = 'x-verification-token';

// JSON keys are matched as every IMI key is (imi-inbound.ts): case aside, and `_` aside.
const FIELD = 'verificationtoken';

/** The tokens a JSON answer offers: the string it is, or its verificationToken fields. */
function tokensInJson(body: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  if (typeof parsed === 'string') return [parsed];
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [];
  return Object.entries(parsed).filter(([k, v]) => k.toLowerCase().replaceAll('_', '') === FIELD && typeof v === 'string').map(([, v]) => v as string);
}

/**
 * Whether a generic ("Others") bot's answer carries its verification token. Seeds 000/001 say only
 * that "the webhook will return this verification token as part of the response to every POST
 * request", not where, so Baton takes it in one of three places, each compared whole:
 * - the `X-Verification-Token` header;
 * - the top-level JSON field `verificationToken` (also `VerificationToken`, `verification_token`);
 * - the whole body: the token itself (surrounding white space aside) or a JSON string of it.
 *
 * Never as a substring of the body: an answer that merely mentions the token (an error page that
 * echoes the request, `{"error":"unknown token s3cret"}`) does not vouch for the endpoint.
 *
 * @example carriesVerificationToken({ status: 200, headers: {}, body: '{"verificationToken":"s3cret"}' }, 's3cret') // true
 */
export function carriesVerificationToken(res: EndpointResponse, token: string): boolean {
  if (!token) return false;
  const header = res.headers[VERIFICATION_TOKEN_HEADER];
  if ((Array.isArray(header) ? header : [header]).some((h) => h?.trim() === token)) return true;
  if (res.body.trim() === token) return true;
  return tokensInJson(res.body).includes(token);
}
