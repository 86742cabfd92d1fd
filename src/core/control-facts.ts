import type { ControlCommand } from './control-types.js';
import type { Conversation } from './conversation.js';
import type { Account, Service } from './model.js';
import { matchRule } from './rules.js';

type HandoverLike = Extract<ControlCommand, { type: 'handover' | 'set_categories' }>;

/**
 * Which commands need facts read before they run: a handover, and a recategorisation (which may
 * be one, control-handover.ts set_categories), ask the handover rules for a desk and team and, on
 * a real-time channel, whether an agent could take it. No other command reads anything first.
 */
export function needsHandoverFacts(cmd: ControlCommand): cmd is HandoverLike {
  return cmd.type === 'handover' || cmd.type === 'set_categories';
}

/**
 * Commands that hand over by naming the desk (control-offers.ts): no handover rule chooses for
 * them, but on a real-time channel they ask, as a handover does, whether an agent could take it.
 */
export function mayHandOverByName(cmd: ControlCommand): boolean {
  return cmd.type === 'pass_control' || cmd.type === 'accept_control' || cmd.type === 'offer_expired';
}

/**
 * Rules triggered by the handover event (IMI: "the Handover event is raised when the BOT decides
 * to handover") choose the desk and team from the note and context, unless the caller named them.
 */
export function withHandoverRule<C extends HandoverLike>(services: readonly Service[], conv: Conversation, cmd: C, now: string): C {
  const note = cmd.type === 'handover' ? cmd.note ?? null : null;
  const context = cmd.type === 'handover' ? cmd.context ?? {} : {};
  const match = matchRule(services, 'handover', { channelId: conv.channelId, text: note, visitor: conv.visitor, ...(conv.unverifiedVisitor ? { unverified: conv.unverifiedVisitor } : {}), context: { ...conv.context, ...context }, now: new Date(now) });
  if (!match) return cmd;
  const { desk, team } = match.rule.action;
  return { ...cmd, ...(cmd.desk === undefined && desk ? { desk } : {}), ...(cmd.team === undefined && team ? { team } : {}) };
}

/** The agents a handover needs online: of its team (any when none), holding the agent category (it is offered to them only, core/agent-scope.ts). */
export function availabilityQuery(_conv: Conversation, account: Account, cmd: HandoverLike | null): { team: string | null; category: string | null } {
  return { team: cmd?.team ?? null, category: account.categories.agent };
}
