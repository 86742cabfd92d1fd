import type { FastifyRequest } from 'fastify';

// The token in an IMI webhook URL (/imi/webhook/<token>) or an Omnichannel one (…/omnichannel_message/<token>/…).
const PATH_TOKEN = /\/(?:webhook|omnichannel_message)\/([^/?]+)/;

/**
 * The credential a request presents, wherever its dialect carries it: `Authorization` (API keys,
 * Engage tokens as Bearer), `X-CM-ProductToken`, `?access_token=` (Engage), `?token=` (a cm
 * channel's MO webhook), or the token in an IMI or Omnichannel webhook path; undefined when none.
 * Whether it is a valid one is for the route's authenticator to say.
 */
export function presentedCredential(req: FastifyRequest): string | undefined {
  const h = req.headers;
  const query = req.query as Record<string, unknown> | undefined;
  const cred = h.authorization ?? h['x-cm-producttoken'] ?? query?.access_token ?? query?.token;
  if (typeof cred === 'string' && cred.length > 0) return cred;
  return PATH_TOKEN.exec(req.url)?.[1];
}
