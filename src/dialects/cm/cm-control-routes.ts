import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { BatonError } from '../../core/errors.js';
import type { ConversationView, Queries } from '../../core/queries.js';
import type { Router } from '../../core/router.js';
import { resolveApiKey } from '../../edge-kit/credential-resolver.js';
import { idempotencyOf } from '../../edge-kit/idempotency.js';
import { strictJsonParser } from '../../edge-kit/json-body.js';
import { componentByProductToken, headerValue } from './cm-auth.js';
import { AccountParams, canonicalKeys, MutationsBody, PositionRequestBody, ResetParams } from './cm-control-schemas.js';

interface Deps {
  router: Router;
  queries: Queries;
}

/** Who calls: a cm component (by its product token), or an operator with the account's API key. */
interface Caller {
  by: string | undefined;
}

// A Map, not an object: `$type: "__proto__"` or `"constructor"` must be unknown, not Object.prototype's.
const MUTATION_TYPES = new Map<string, boolean>([['enableComponent', true], ['disableComponent', false]]);

/**
 * `X-CM-ProductToken` names the calling component, which decides what a disabled bot means: the
 * bot disabling itself hands over, the desk disabling it takes over. An account API key
 * (`Authorization: Bearer`) is accepted too and acts as an operator, on nobody's behalf.
 */
async function authenticate(queries: Queries, req: FastifyRequest<{ Params: { accountId: string } }>): Promise<Caller> {
  const { accountId } = req.params;
  const token = headerValue(req.headers['x-cm-producttoken']);
  if (token !== undefined) {
    const component = await componentByProductToken(queries, accountId, token);
    if (!component) throw new BatonError('unauthorized', `This X-CM-ProductToken is not the secrets.productToken of any cm component of account ${accountId}.`);
    return { by: component.id };
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(req.headers.authorization) ?? '');
  if (bearer) {
    if (!(await resolveApiKey(queries, bearer[1], { accountId }))) throw new BatonError('unauthorized', `This API key does not belong to account ${accountId}.`);
    return { by: undefined };
  }
  throw new BatonError('unauthorized', 'Send X-CM-ProductToken: <the product token of a cm component of this account>, or Authorization: Bearer <an API key of this account>.');
}

/** What every control call answers: the chat's control state after the change. */
function state(conv: ConversationView): Record<string, unknown> {
  return { ChatId: conv.id, Controller: conv.controller, ControlVersion: conv.controlVersion, Enabled: conv.enabled, Team: conv.team };
}

const errors = { 400: Type.Ref('Error'), 401: Type.Ref('Error'), 404: Type.Ref('Error'), 409: Type.Ref('Error') };

/**
 * The Bot Router control API (seed 002) under `/conversational/control/v1/accounts/{accountId}/sessions/`:
 * mutations (enable/disable components, optional Context for team routing), position requests,
 * reset. Each call is one core command; the routing decisions are the core's.
 */
export async function cmControlRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { router, queries } = deps;
  const callers = new WeakMap<FastifyRequest, Caller>();

  // "This request doesn't require a request body": an empty one is no body, whatever its Content-Type says.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(app, { empty: () => undefined }));
  // Credentials first, before the body is even read: a caller who may not ask learns nothing of its faults.
  app.addHook('onRequest', async (req) => {
    callers.set(req, await authenticate(queries, req as FastifyRequest<{ Params: { accountId: string } }>));
  });
  app.addHook('preValidation', async (req) => {
    if (req.body !== undefined) req.body = canonicalKeys(req.body);
  });
  const withBy = (req: FastifyRequest): { by?: string } => {
    const by = callers.get(req)?.by;
    return by === undefined ? {} : { by };
  };

  api.post('/accounts/:accountId/sessions/mutations', {
    schema: {
      tags: ['cm'],
      summary: 'CM control: enable or disable components of a chat',
      description: 'Authenticate with `X-CM-ProductToken` (the calling cm component) or `Authorization: Bearer <API key>`. Disabling the bot is a hand-over when the bot asks, a take-over when the desk does; enabling it is a hand-back. `Context` values route the hand-over to the team configured with the same value (none: the general queue).',
      params: AccountParams,
      body: MutationsBody,
      response: errors,
    },
  }, async (req) => {
    const { accountId } = req.params;
    const known = new Set((await queries.components(accountId)).map((c) => c.id));
    const mutations = req.body.Mutations.map((m, index) => {
      const enabled = MUTATION_TYPES.get(m.$type);
      if (enabled === undefined) throw new BatonError('unknown_mutation_type', `Mutations[${index}].$type "${m.$type}" is not a mutation: use enableComponent or disableComponent.`, { index });
      if (!known.has(m.ComponentId)) throw new BatonError('component_not_found', `Mutations[${index}].ComponentId "${m.ComponentId}" is not a component of account ${accountId}; known: ${[...known].join(', ')}.`, { index });
      return { componentId: m.ComponentId, enabled };
    });
    const context = req.body.Context ?? undefined;
    await router.command(accountId, req.body.ChatId, { type: 'mutate', ...withBy(req), mutations, ...(context ? { context } : {}) }, idempotencyOf(req), { actor: req.actor });
    return state(await queries.conversation(accountId, req.body.ChatId));
  });

  api.post('/accounts/:accountId/sessions/positionrequests', {
    schema: { tags: ['cm'], summary: 'CM control: ask the bot to continue at a flow and step', params: AccountParams, body: PositionRequestBody, response: errors },
  }, async (req) => {
    const { accountId } = req.params;
    await router.command(accountId, req.body.ChatId, { type: 'position', ...withBy(req), flow: req.body.FlowId, step: req.body.StepId }, idempotencyOf(req), { actor: req.actor });
    return state(await queries.conversation(accountId, req.body.ChatId));
  });

  api.post('/accounts/:accountId/sessions/:chatId/reset', {
    schema: { tags: ['cm'], summary: 'CM control: cancel every mutation; the rule\'s defaults apply again', description: 'No body.', params: ResetParams, response: errors },
  }, async (req) => {
    const { accountId, chatId } = req.params;
    await router.command(accountId, chatId, { type: 'reset', ...withBy(req) }, idempotencyOf(req), { actor: req.actor });
    return state(await queries.conversation(accountId, chatId));
  });
}
