import { createHash } from 'node:crypto';
import type { Conversation } from '../../core/conversation.js';
import { BatonError } from '../../core/errors.js';
import type { Account, Component } from '../../core/model.js';

/**
 * Switchboard integrations are Baton's components (Sunshine Conversations' switchboard, mapped):
 * the conversation's bot on one side, the desks on the other. An integration is named by its
 * component id; its ids are derived from the account and that id, so they are stable without
 * being stored. `integrationType` is `custom`, as the document's examples have it.
 */
export interface SwitchboardIntegration {
  id: string;
  name: string;
  integrationId: string;
  integrationType: string;
}

function hex24(kind: string, accountId: string, name: string): string {
  return createHash('sha256').update(`${kind}\n${accountId}\n${name}`).digest('hex').slice(0, 24);
}

export function integrationOf(accountId: string, componentId: string): SwitchboardIntegration {
  return { id: hex24('switchboard-integration', accountId, componentId), name: componentId, integrationId: hex24('integration', accountId, componentId), integrationType: 'custom' };
}

/** The webhook of a component, as the payload's `webhook.id` names it. */
export function webhookIdOf(accountId: string, componentId: string): string {
  return hex24('webhook', accountId, componentId);
}

/** Who holds the conversation (the document's `activeSwitchboardIntegration`), by component id. */
export function activeComponent(conv: Conversation): string | null {
  if (conv.controller === 'bot') return conv.bot;
  if (conv.controller === 'desk') return conv.desk;
  return null;
}

/** Who `next` means while `from` holds the conversation: its `next` option, else the other side. */
export function nextOf(conv: Conversation, account: Account, from: Component | null, fromId: string | null): string | null {
  const configured = from && fromId === from.id && typeof from.options.next === 'string' ? from.options.next : null;
  if (configured) return configured;
  return fromId !== null && fromId === conv.bot ? conv.desk ?? account.defaultDesk : conv.bot;
}

/**
 * The component a `switchboardIntegration` reference names: `next`, else by id, name and type in
 * that order of precedence, among the conversation's bot and the account's desks. A type that
 * more than one matches is refused, as the document says.
 */
export function resolveTarget(ref: string, conv: Conversation, account: Account, components: Component[], field = 'switchboardIntegration'): string {
  const active = activeComponent(conv);
  if (ref === 'next') {
    const next = nextOf(conv, account, components.find((c) => c.id === active) ?? null, active);
    if (!next) throw new BatonError('validation_failed', `${field}: \`next\` names nobody in conversation ${conv.id}: it has no desk, and the account no defaultDesk.`);
    return next;
  }
  const candidates = [...new Set([...(conv.bot ? [conv.bot] : []), ...components.filter((c) => c.kind === 'desk').map((c) => c.id)])];
  const named = candidates.map((id) => ({ id, integration: integrationOf(account.id, id) }));
  const byId = named.find((n) => n.integration.id === ref);
  if (byId) return byId.id;
  const byName = named.find((n) => n.integration.name === ref);
  if (byName) return byName.id;
  const byType = named.filter((n) => n.integration.integrationType === ref);
  if (byType.length === 1) return byType[0]!.id;
  if (byType.length > 1) throw new BatonError('validation_failed', `${field}: type ${ref} is ambiguous here (${byType.map((n) => n.id).join(', ')}); name one by its id or name.`);
  throw new BatonError('validation_failed', `${field}: ${ref} is no switchboard integration of conversation ${conv.id}; use \`next\`, the conversation's bot or a desk (${candidates.join(', ') || 'none'}).`);
}
