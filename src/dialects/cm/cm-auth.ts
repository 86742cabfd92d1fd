import { createHash, timingSafeEqual } from 'node:crypto';
import type { Component } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * The `cm` component of `accountId` whose `secrets.productToken` is `token`, or null. CM gives each
 * connection a product token; in Baton it names the calling component. Digests of equal length are
 * compared in constant time, so the answer's timing tells nothing of the stored tokens.
 */
export async function componentByProductToken(queries: Queries, accountId: string, token: string | null | undefined): Promise<Component | null> {
  if (!token) return null;
  const presented = digest(token);
  let found: Component | null = null;
  for (const c of await queries.components(accountId)) {
    const own = c.dialect === 'cm' ? c.secrets.productToken : undefined;
    // Every candidate is compared, found or not, so the number of comparisons does not leak either.
    if (own && timingSafeEqual(digest(own), presented) && !found) found = c;
  }
  return found;
}

/** A header's single value. */
export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Constant-time equality of two secrets of any length (by their digests). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
