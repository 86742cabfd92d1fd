import type { Component } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';
import { resolveToken } from '../../edge-kit/credential-resolver.js';

/**
 * The `cm` component of `accountId` whose `secrets.productToken` is `token`, or null. CM gives each
 * connection a product token; in Baton it names the calling component, found by the token's digest
 * (edge-kit/credential-resolver.ts), so no request reads every component of the account.
 */
export async function componentByProductToken(queries: Queries, accountId: string, token: string | null | undefined): Promise<Component | null> {
  const owner = await resolveToken(queries, 'product_token', token, { accountId });
  if (owner?.ownerKind !== 'component') return null;
  const component = await queries.findComponent(accountId, owner.ownerId);
  return component?.dialect === 'cm' ? component : null;
}

/** A header's single value. */
export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
