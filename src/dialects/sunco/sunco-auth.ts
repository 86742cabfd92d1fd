import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { BatonError } from '../../core/errors.js';
import type { Component } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';
import { resolveToken } from '../../edge-kit/credential-resolver.js';

/** The switchboard integration a request acts as: the `sunco` component whose API key it presents. */
export interface SuncoCaller {
  accountId: string;
  component: Component;
}

const UNKNOWN = 'This API key is not a key of this app; check the sunco component\'s secrets.keyId and secrets.keySecret.';

/**
 * The document's two ways for server-to-server calls ("Authentication"): Basic with the key id as
 * user name and the secret as password, or a JWT signed (HS256) with the secret and naming the
 * key id as `kid`. A key belongs to one component, which acts as its switchboard integration (the
 * document's integration scope: the 403s of acceptControl and releaseControl apply to it). The
 * app is the account: a key of another account is unknown here, however the path is spelt.
 */
export async function authenticate(req: FastifyRequest, appId: string, queries: Queries): Promise<SuncoCaller> {
  const header = req.headers.authorization ?? '';
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)?.[1];
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  const component = basic ? await byBasic(queries, appId, basic) : bearer ? await byJwt(queries, appId, bearer) : null;
  if (!basic && !bearer) throw new BatonError('unauthorized', 'Send the API key as `Authorization: Basic base64(keyId:secret)` or a JWT signed with it as `Authorization: Bearer <jwt>`.');
  if (!component) throw new BatonError('unauthorized', UNKNOWN);
  req.credentialAccepted = true;
  return { accountId: component.accountId, component };
}

async function byBasic(queries: Queries, appId: string, encoded: string): Promise<Component | null> {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const keyId = decoded.slice(0, colon);
  // Found by the secret's digest; the key id must then be the one configured beside it.
  const owner = await resolveToken(queries, 'access_token', decoded.slice(colon + 1), { accountId: appId });
  const component = owner?.ownerKind === 'component' ? await queries.findComponent(owner.accountId, owner.ownerId) : null;
  return component?.dialect === 'sunco' && component.secrets.keyId === keyId ? component : null;
}

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

function json(part: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A JWT names its key by `kid`, so it is found among the app's components, then its signature checked. */
async function byJwt(queries: Queries, appId: string, token: string): Promise<Component | null> {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const head = json(parts[0]!);
  const claims = json(parts[1]!);
  if (!head || !claims || head.alg !== 'HS256' || typeof head.kid !== 'string') return null;
  if (claims.scope !== 'app' && claims.scope !== 'integration') return null;
  const component = (await queries.components(appId)).find((c) => c.dialect === 'sunco' && c.secrets.keyId === head.kid && c.secrets.keySecret);
  if (!component) return null;
  const expected = Buffer.from(b64url(createHmac('sha256', component.secrets.keySecret!).update(`${parts[0]}.${parts[1]}`).digest()));
  const given = Buffer.from(parts[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? component : null;
}
