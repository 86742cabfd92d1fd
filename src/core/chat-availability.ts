import type { Account, Service } from './model.js';
import { matchRule } from './rules.js';

/** Who would answer a visitor who opens a chat on a channel now. */
export interface ChatAvailability {
  /** A bot answers first (at any hour, the reason a widget shows when no agent is online). */
  botInFront: boolean;
  agentsOnline: number;
  /** Someone answers: a bot in front, or at least one agent online. */
  available: boolean;
}

/**
 * Whether a new chat on `channelId` would go to a bot now: the rule a first message without any
 * text or visitor fields would match (so business hours count, text patterns do not) puts a bot
 * in front, and the account's emergency switch is off.
 *
 * @example botInFront(services, account, 'web', new Date()) // true with a `bot+desk` rule on web
 */
export function botInFront(services: readonly Service[], account: Pick<Account, 'emergency'>, channelId: string, now: Date): boolean {
  if (account.emergency) return false;
  const match = matchRule(services, 'message', { channelId, text: null, visitor: {}, context: {}, now });
  return match !== null && match.rule.action.type !== 'desk' && Boolean(match.rule.action.bot);
}
