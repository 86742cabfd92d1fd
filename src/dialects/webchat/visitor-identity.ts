import { createHash } from 'node:crypto';
import { BatonError } from '../../core/errors.js';

const TOKEN = /^[A-Za-z0-9_-]{32,128}$/;

/**
 * A visitor is known by a random token their browser keeps (localStorage). Baton never stores or
 * shows the token: the customer address of their chat is a digest of it, so agents and bots that
 * see the address cannot use it to read or write as the visitor.
 */
export function visitorIdOf(token: unknown): string {
  if (typeof token !== 'string' || !TOKEN.test(token)) throw new BatonError('unauthorized', 'Send the visitor token (32 to 128 characters of A-Z, a-z, 0-9, - and _) in x-visitor-token.');
  return `visitor-${createHash('sha256').update(token, 'utf8').digest('base64url').slice(0, 22)}`;
}
