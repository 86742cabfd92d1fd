import type { FastifyInstance } from 'fastify';
import { BatonError } from '../../core/errors.js';
import { metadataOf, objectBody, offerTerms, requiredString } from './sunco-body.js';
import { activeComponent, resolveTarget } from './sunco-integrations.js';
import { type ConversationParams, type SuncoDeps, suncoCall } from './sunco-routes.js';

/**
 * The switchboard actions. passControl moves control at once; offerControl makes an integration
 * pending until it accepts (Baton adds an optional `deadline` and `fallback`); releaseControl
 * returns the conversation to its rule's defaults. The document's 403s: acceptControl by anyone
 * but the pending integration, releaseControl by anyone but the active one. Each answers `{}`.
 */
export async function switchboardRoutes(app: FastifyInstance, deps: SuncoDeps): Promise<void> {
  const { router, queries } = deps;
  const tags = ['sunco'];
  const base = '/apps/:appId/conversations/:conversationId';

  app.post<ConversationParams>(`${base}/passControl`, { schema: { tags, summary: 'Make an integration active (by id, name, type or `next`), with metadata' } }, async (req) => {
    const { caller, conv } = await suncoCall(req, queries);
    const body = objectBody(req.body, true);
    const ref = requiredString(body, 'switchboardIntegration');
    const metadata = metadataOf(body);
    const [account, components] = await Promise.all([queries.account(caller.accountId), queries.components(caller.accountId)]);
    const to = resolveTarget(ref, conv, account, components);
    await router.command(caller.accountId, conv.id, { type: 'pass_control', by: caller.component.id, to, ...(metadata ? { metadata } : {}) }, undefined, { actor: req.actor });
    return {};
  });

  app.post<ConversationParams>(`${base}/offerControl`, { schema: { tags, summary: 'Make an integration pending; Baton: optional `deadline` (ISO 8601) and `fallback` (`offerer`, `next` or an integration)' } }, async (req) => {
    const { caller, conv } = await suncoCall(req, queries);
    const body = objectBody(req.body, true);
    const ref = requiredString(body, 'switchboardIntegration');
    const metadata = metadataOf(body);
    const terms = offerTerms(body);
    const [account, components] = await Promise.all([queries.account(caller.accountId), queries.components(caller.accountId)]);
    const to = resolveTarget(ref, conv, account, components);
    const fallbackTo = terms.fallback === undefined || terms.fallback === 'offerer' ? null : resolveTarget(terms.fallback, conv, account, components, 'fallback');
    await router.command(caller.accountId, conv.id, {
      type: 'offer_control', by: caller.component.id, to, ...(terms.deadline ? { deadline: terms.deadline } : {}), fallbackTo, ...(metadata ? { metadata } : {}),
    }, undefined, { actor: req.actor });
    return {};
  });

  app.post<ConversationParams>(`${base}/acceptControl`, { schema: { tags, summary: 'The pending integration takes control (403 for anyone else)' } }, async (req) => {
    const { caller, conv } = await suncoCall(req, queries);
    const metadata = metadataOf(objectBody(req.body, false));
    await router.command(caller.accountId, conv.id, { type: 'accept_control', by: caller.component.id, ...(metadata ? { metadata } : {}) }, undefined, { actor: req.actor });
    return {};
  });

  app.post<ConversationParams>(`${base}/releaseControl`, { schema: { tags, summary: 'The active integration releases control: the conversation returns to its rule\'s defaults (403 for anyone else)' } }, async (req) => {
    const { caller, conv } = await suncoCall(req, queries);
    const metadata = metadataOf(objectBody(req.body, false));
    // Checked on what the caller saw; the version makes a move since then refuse the release (stale_control).
    if (activeComponent(conv) !== caller.component.id) {
      throw new BatonError('forbidden', `Integration ${caller.component.id} is not active in conversation ${conv.id}; only the active one releases control.`);
    }
    await router.command(caller.accountId, conv.id, { type: 'reset', by: caller.component.id, expectedVersion: conv.controlVersion, ...(metadata ? { metadata } : {}) }, undefined, { actor: req.actor });
    return {};
  });
}
