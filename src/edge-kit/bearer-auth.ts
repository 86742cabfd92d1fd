import type { FastifyReply, FastifyRequest } from 'fastify';
import { BatonError } from '../core/errors.js';
import type { StoreReads } from '../core/ports.js';
import { hashApiKey } from './api-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The account the caller's API key belongs to; every query of the request is scoped to it. */
    accountId: string;
  }
}

/** Resolves `Authorization: Bearer <key>` to its account, or answers 401. */
export function bearerAuth(store: Pick<StoreReads, 'accountIdForKey'>) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new BatonError('unauthorized', 'Send your account\'s API key as `Authorization: Bearer <key>`.');
    const accountId = await store.accountIdForKey(hashApiKey(match[1]!));
    if (!accountId) throw new BatonError('unauthorized', 'This API key is not known; check it against baton.yaml.');
    req.accountId = accountId;
    req.credentialAccepted = true;
  };
}
