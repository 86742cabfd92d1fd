import type { FastifyRequest } from 'fastify';
import { BatonError } from '../../core/errors.js';
import type { Component } from '../../core/model.js';
import type { Queries } from '../../core/queries.js';
import { resolveToken } from '../../edge-kit/credential-resolver.js';
import { type EngageParams, param } from './engage-params.js';

/**
 * The user an Engage API token belongs to. For now every token is a component's: the bot's user
 * is its `engage` component, whose `secrets.accessToken` is the document's API_ACCESS_TOKEN.
 * Its options say what Engage permissions would: `admin` (the permission to edit permissions:
 * it may close interventions it does not own) and `sources` (the channels it may read; all of
 * the account's when absent).
 */
export interface EngageUser {
  accountId: string;
  id: string;
  component: Component;
  admin: boolean;
  sources: string[] | null;
}

export function canRead(user: EngageUser, channelId: string): boolean {
  return user.sources === null || user.sources.includes(channelId);
}

export function requireRead(user: EngageUser, channelId: string): void {
  if (!canRead(user, channelId)) throw new BatonError('forbidden', `The token's user ${user.id} has no read access on source ${channelId}.`);
}

function tokenOf(req: FastifyRequest, params: EngageParams): string | undefined {
  const header = req.headers.authorization;
  const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  return bearer ?? param(params, 'access_token');
}

/** `access_token` as a query (or body) parameter or `Authorization: Bearer`, as Engage takes it. */
export async function authenticate(req: FastifyRequest, params: EngageParams, queries: Queries): Promise<EngageUser> {
  const token = tokenOf(req, params);
  if (!token) throw new BatonError('unauthorized', 'Send the API access token as `access_token` or `Authorization: Bearer <token>`.');
  // Found by its digest as an access token: a component's webhook token opens nothing here.
  const owner = await resolveToken(queries, 'access_token', token);
  const component = owner?.ownerKind === 'component' ? await queries.findComponent(owner.accountId, owner.ownerId) : null;
  if (!owner || !component || component.dialect !== 'engage') {
    throw new BatonError('unauthorized', 'This API access token is not known; check the engage component\'s secrets.accessToken.');
  }
  const sources = Array.isArray(component.options.sources) ? component.options.sources.filter((s): s is string => typeof s === 'string') : null;
  return { accountId: owner.accountId, id: component.id, component, admin: component.options.admin === true, sources };
}
