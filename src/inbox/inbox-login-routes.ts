import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Clock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import type { StoreReads } from '../core/ports.js';
import type { LoginThrottle } from '../edge-kit/login-throttle.js';
import type { Router } from '../core/router.js';
import type { LiveBus } from '../live/live-bus.js';
import { clearLoginCookie, findLogin, openLogin } from './inbox-auth.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { LoginSessions } from './login-sessions.js';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const LoginBody = Type.Object({ account: Id, agent: Id, password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });

export interface LoginDeps {
  store: Pick<StoreReads, 'agentPasswordHash' | 'listAccounts'>;
  sessions: LoginSessions;
  router: Router;
  live: LiveBus;
  clock: Clock;
  throttle: LoginThrottle;
}

// Checked against when the account or agent does not exist, so a wrong name costs the same time as a wrong password.
let decoy: Promise<string> | null = null;

/** The paths under /inbox/api that need no session. */
export const OPEN_PATHS = ['/inbox/api/login', '/inbox/api/login-options', '/inbox/api/session'];

/** Log in (agents of baton.yaml, scrypt-hashed passwords), log out. */
export async function inboxLoginRoutes(app: FastifyInstance, deps: LoginDeps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { store, sessions, clock } = deps;

  // Whether the page has a session, asked without failing, so the login form shows without an error.
  api.get('/session', { schema: { hide: true } }, async (req) => ({ loggedIn: (await findLogin(sessions, clock, req)) !== undefined }));

  api.get('/login-options', { schema: { hide: true } }, async () => {
    // With one account there is nothing to choose; the form fills it in.
    const accounts = await store.listAccounts();
    return { account: accounts.length === 1 ? accounts[0]!.id : null };
  });

  api.post('/login', { schema: { hide: true, body: LoginBody } }, async (req, reply) => {
    const { account, agent, password } = req.body;
    // Checked before the password, so a locked caller learns nothing, not even from a right one.
    const name = JSON.stringify([account, agent]);
    const wait = deps.throttle.attempt(req, name);
    if (wait > 0) return deps.throttle.refuse(reply, wait);
    const stored = await store.agentPasswordHash(account, agent);
    const ok = await verifyPassword(password, stored ?? (await (decoy ??= hashPassword('decoy-password-never-used'))));
    if (!stored || !ok) throw new BatonError('unauthorized', 'The account, agent or password is not right.');
    deps.throttle.succeeded(req, name);
    await sessions.deleteExpired(clock.now().toISOString());
    const login = await openLogin(sessions, clock, reply, req, account, agent);
    return { csrfToken: login.csrfToken };
  });

  api.post('/logout', { schema: { hide: true } }, async (req, reply) => {
    const login = req.login!;
    await sessions.delete(login.idHash);
    clearLoginCookie(reply, req);
    await deps.router.setPresence(login.accountId, login.agentId, 'offline', req.actor).catch(() => {});
    await deps.live.publish({ accountId: login.accountId, topic: 'agents' }).catch(() => {});
    return { ok: true };
  });
}
