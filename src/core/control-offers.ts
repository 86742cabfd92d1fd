import { handoverHandlers } from './control-handover.js';
import { describeControl } from './control-steps.js';
import type { PartialTable, TransitionEnv } from './control-types.js';
import { type Conversation, isBotEnabled, isDeskEnabled } from './conversation.js';
import { BatonError } from './errors.js';
import type { EventDraft } from './events.js';

/**
 * Control passed, offered and accepted by name (Sunshine Conversations' switchboard), built on the
 * handover, takeover and handback handlers so every protocol sees the same moves. The bot is one
 * side, a desk the other: passing to the desk while the bot holds the conversation is a handover
 * (a takeover when the desk asks for itself), passing to the bot while the humans hold it is a
 * handback. What the caller says (`metadata`) travels on the events the move emits.
 */
export const offerHandlers: PartialTable<'pass_control' | 'offer_control' | 'accept_control' | 'offer_expired'> = {
  pass_control(conv, cmd, env, out) {
    openOrRefuse(conv);
    passTo(conv, env, out, cmd.to, cmd.by, { via: 'pass', metadata: cmd.metadata ?? null });
  },

  offer_control(conv, cmd, env, out) {
    openOrRefuse(conv);
    if (holds(conv, env, cmd.to)) throw new BatonError('invalid_transition', `Component ${cmd.to} holds conversation ${conv.id} already; control cannot be offered to it.`);
    if (!canPass(conv, env, cmd.to)) throw new BatonError('invalid_transition', `Control of conversation ${conv.id} could not pass to ${cmd.to}: ${describeControl(conv, env)}, and only its bot or a desk while the bot holds it can take it.`);
    if (cmd.deadline !== undefined && cmd.deadline <= env.now) throw new BatonError('validation_failed', `The offer's deadline ${cmd.deadline} is not in the future.`);
    // A new offer voids the one before it (its timer then finds nothing to do).
    conv.offer = { id: env.newId(), to: cmd.to, by: cmd.by ?? null, offeredAt: env.now, deadline: cmd.deadline ?? null, fallbackTo: cmd.fallbackTo ?? null, metadata: cmd.metadata ?? null };
    out.push({ type: 'control.offered', data: { offerId: conv.offer.id, by: conv.offer.by, pending: cmd.to, deadline: conv.offer.deadline, fallbackTo: conv.offer.fallbackTo, metadata: conv.offer.metadata } });
  },

  accept_control(conv, cmd, env, out) {
    const offer = conv.offer;
    if (!offer) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no pending offer of control to accept.`);
    if (offer.to !== cmd.by) throw new BatonError('forbidden', `Control of conversation ${conv.id} was offered to ${offer.to}, not to ${cmd.by}.`, { pending: offer.to });
    conv.offer = null;
    passTo(conv, env, out, offer.to, cmd.by, { via: 'accept', metadata: cmd.metadata ?? null, offerId: offer.id });
  },

  offer_expired(conv, cmd, env, out) {
    const offer = conv.offer;
    if (!offer || offer.id !== cmd.offerId) return;
    conv.offer = null;
    out.push({ type: 'control.offer_expired', data: { offerId: offer.id, pending: offer.to, fallbackTo: offer.fallbackTo, metadata: offer.metadata } });
    if (offer.fallbackTo === null || conv.status === 'closed') return;
    try {
      passTo(conv, env, out, offer.fallbackTo, undefined, { via: 'offer_expired', metadata: offer.metadata, offerId: offer.id });
    } catch (err) {
      // The fallback is no longer possible (the account's emergency holds the bot off): control stays, as without one.
      if (!(err instanceof BatonError)) throw err;
    }
  },
};

function openOrRefuse(conv: Conversation): void {
  if (conv.status === 'closed') throw new BatonError('invalid_transition', `Conversation ${conv.id} is closed; its next customer message starts a new thread.`);
}

/** Whether `componentId` holds the conversation now. */
export function holds(conv: Conversation, env: TransitionEnv, componentId: string): boolean {
  if (componentId === conv.bot) return isBotEnabled(conv, env.account);
  return componentId === conv.desk && !isBotEnabled(conv, env.account) && isDeskEnabled(conv, env.account);
}

/** Whether control could pass to `componentId` (the bot unless the account's emergency holds it off; a desk from the bot). */
function canPass(conv: Conversation, env: TransitionEnv, componentId: string): boolean {
  return componentId === conv.bot ? !env.account.emergency : isBotEnabled(conv, env.account);
}

function passTo(conv: Conversation, env: TransitionEnv, out: EventDraft[], to: string, by: string | undefined, note: Record<string, unknown>): void {
  if (holds(conv, env, to)) return;
  const from = out.length;
  const botHolds = isBotEnabled(conv, env.account);
  if (to === conv.bot) {
    handoverHandlers.handback(conv, { type: 'handback', ...(by === conv.desk ? { by } : {}), reason: 'pass_control' }, env, out);
  } else if (botHolds && by === to) {
    handoverHandlers.takeover(conv, { type: 'takeover', by }, env, out);
  } else if (botHolds) {
    handoverHandlers.handover(conv, { type: 'handover', ...(by === conv.bot ? { by } : {}), desk: to, reason: 'pass_control' }, env, out);
  } else {
    throw new BatonError('invalid_transition', `Control of conversation ${conv.id} cannot pass to ${to}: ${describeControl(conv, env)}, and only its bot or a desk while the bot holds it can take it.`);
  }
  for (const e of out.slice(from)) if (e.type !== 'agent_session.closed' && e.type !== 'bot_session.opened') e.data.switchboard = note;
}
