import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { GREETING_MAX } from '../core/widget-look.js';
import type { LiveBus } from '../live/live-bus.js';
import type { AgentAdmin } from './agent-admin.js';
import { PASSWORD_MIN_LENGTH } from './passwords.js';
import type { WidgetLookAdmin } from './widget-look-admin.js';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const IdParams = Type.Object({ id: Id });
// Long enough for a passphrase, short enough that hashing it costs nothing extra.
const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: 200 });
const NewAgentBody = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200, pattern: '^\\S+$', description: 'what the agent types to log in; no spaces' }),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  teams: Type.Optional(Type.Array(Id, { maxItems: 50 })),
  admin: Type.Optional(Type.Boolean()),
  password: Password,
}, { additionalProperties: false });
const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false });
const LookBody = Type.Object({
  // The pattern is checked again (with contrast) in core/widget-look.ts; here it keeps markup out of the error too.
  color: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
  greeting: Type.Optional(Type.Union([Type.String({ maxLength: GREETING_MAX * 2 }), Type.Null()])),
  position: Type.Optional(Type.Union([Type.Literal('bottom-right'), Type.Literal('bottom-left'), Type.Null()])),
}, { additionalProperties: false, minProperties: 1 });

export interface AdminAgentDeps {
  agents: AgentAdmin;
  looks: WidgetLookAdmin;
  live: LiveBus;
}

/**
 * The admin page's agents and web chat look, under the admin hook of inboxAdminRoutes (admins of
 * the caller's own account only; CSRF as every inbox change). baton.yaml stays the truth for
 * what it names: those are refused here with a 409 that says so.
 */
export async function inboxAdminAgentRoutes(app: FastifyInstance, deps: AdminAgentDeps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { agents, looks, live } = deps;
  const changed = (accountId: string) => live.publish({ accountId, topic: 'agents' }).catch(() => {});
  // The audit line names the admin, not only their session's fingerprint.
  const adminOf = (req: FastifyRequest) => `agent:${req.login!.agentId}`;

  api.get('/agents', { schema: { hide: true } }, async (req) => ({ items: await agents.list(req.login!.accountId) }));

  api.post('/agents', { schema: { hide: true, body: NewAgentBody } }, async (req, reply) => {
    const accountId = req.login!.accountId;
    const agent = await agents.add(accountId, req.body, adminOf(req));
    await changed(accountId);
    void reply.status(201);
    return { agent };
  });

  api.post('/agents/:id/password', { schema: { hide: true, params: IdParams, body: PasswordBody } }, async (req) => {
    await agents.resetPassword(req.login!.accountId, req.params.id, req.body.password, adminOf(req));
    return { reset: true, loginsEnded: true };
  });

  api.delete('/agents/:id', { schema: { hide: true, params: IdParams } }, async (req) => {
    const accountId = req.login!.accountId;
    await agents.remove(accountId, req.params.id, adminOf(req), req.login!.agentId);
    await changed(accountId);
    return { removed: req.params.id };
  });

  api.get('/widget-looks', { schema: { hide: true } }, async (req) => ({ items: await looks.list(req.login!.accountId) }));

  api.put('/channels/:id/widget-look', { schema: { hide: true, params: IdParams, body: LookBody } }, async (req) => looks.set(req.login!.accountId, req.params.id, req.body, adminOf(req)));
}
