import type { FastifyRequest } from 'fastify';
import pino, { type DestinationStream, type Logger } from 'pino';

// The path part after these is a credential: IMI's webhook URL /imi/webhook/<token> and the
// Omnichannel client server's /connector/omnichannel/omnichannel_message/<token>/bot_api_webhook.
const PATH_TOKEN = /(\/(?:webhook|omnichannel_message)\/)[^/?#]+/g;
// Query parameters that are credentials: a cm channel's MO webhook takes `?token=`, the Engage API
// `?access_token=`. Names are compared decoded, as the query parser reads them.
const QUERY_TOKENS = new Set(['token', 'access_token']);
const CENSOR = '[redacted]';

function decoded(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return part.toLowerCase();
  }
}

/**
 * A request URL as it may be written to the log: tokens in the path and in the query replaced.
 *
 * @example redactUrl('/conversational/channels/acme/sms/mo?token=s3cret') // '/conversational/channels/acme/sms/mo?token=[redacted]'
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(PATH_TOKEN, `$1${CENSOR}`);
  if (q < 0) return path;
  const query = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return eq >= 0 && QUERY_TOKENS.has(decoded(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=${CENSOR}` : pair;
  });
  return `${path}?${query.join('&')}`;
}

/** Fastify's own request serializer, with the URL redacted. */
function serializeRequest(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Baton's logger: secrets in configuration objects and credentials in request URLs never reach the log. */
export function batonLogger(level: string, destination?: DestinationStream): Logger {
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', '*.apiKeys', '*.password', '*.secrets', '*.credentials'], censor: CENSOR },
    serializers: { req: serializeRequest },
  }, destination);
}
