import type { DeliveryContext } from './ports.js';
import { BOT_FAILOVER_AFTER_MS } from './retry-policies.js';

/**
 * A delivery whose failure leaves a customer waiting on the bot: the customer's message the bot
 * must answer, or an event written with it (the conversation's opening) that the bot gets first.
 */
export function waitsOnBot(ctx: DeliveryContext): boolean {
  if (ctx.target.kind !== 'component' || ctx.target.component.kind !== 'bot' || ctx.account.botFailover?.policy === 'wait') return false;
  if (ctx.conversation.controller !== 'bot') return false;
  return ctx.event.type === 'message.received' ? ctx.forReply : ctx.conversation.lastCustomerMessageAt === ctx.event.at;
}

export function failoverAfter(ctx: DeliveryContext): number {
  return ctx.account.botFailover?.afterMs ?? BOT_FAILOVER_AFTER_MS;
}

