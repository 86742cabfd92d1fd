import type { InboundToken } from '../core/ports.js';
import { hashApiKey } from './api-keys.js';
import type { CredentialKind } from './dialect-module.js';

/** The two digest tables credentials are found by (Queries implements both, with a short cache). */
export interface CredentialLookups {
  accountIdForApiKey(keyHash: string): Promise<string | undefined>;
  inboundToken(tokenHash: string): Promise<InboundToken | undefined>;
}

/** Who a token belongs to, when it is of the kind asked for. */
export interface TokenOwner {
  kind: Exclude<CredentialKind, 'api_key'>;
  accountId: string;
  ownerKind: 'component' | 'channel';
  ownerId: string;
}

/*
 * The one way an inbound credential becomes its owner: by the SHA-256 digest of what was presented,
 * never by comparing stored secrets, so nothing's timing depends on them and no request reads every
 * component. A token of another kind opens nothing (an IMI webhook token is no Engage access
 * token), and with a scope only that account's credentials count.
 */

/** @example await resolveToken(queries, 'product_token', token, { accountId }) // { kind, accountId, ownerKind: 'component', ownerId: 'CmBot' } | null */
export async function resolveToken(lookups: Pick<CredentialLookups, 'inboundToken'>, kind: TokenOwner['kind'], presented: string | null | undefined, scope?: { accountId: string }): Promise<TokenOwner | null> {
  if (!presented) return null;
  const found = await lookups.inboundToken(hashApiKey(presented));
  if (!found || found.kind !== kind || (scope && scope.accountId !== found.accountId)) return null;
  return { kind, accountId: found.accountId, ownerKind: found.ownerKind, ownerId: found.ownerId };
}

/** The account an API key belongs to (within `scope` when given), or null. */
export async function resolveApiKey(lookups: Pick<CredentialLookups, 'accountIdForApiKey'>, presented: string | null | undefined, scope?: { accountId: string }): Promise<string | null> {
  if (!presented) return null;
  const accountId = await lookups.accountIdForApiKey(hashApiKey(presented));
  return accountId && (!scope || scope.accountId === accountId) ? accountId : null;
}
