import { BatonError } from './errors.js';
import type { EventDraft } from './events.js';
import {
  type AgentSession,
  type Conversation,
  type WorkItem,
  controllerOf,
  currentThread,
  isAgentSessionOpen,
  isBotEnabled,
  isEnabled,
} from './conversation.js';
import type { ControlCommand, TransitionEnv } from './control-types.js';
import type { Account } from './model.js';
import { threadId } from './ids.js';
import { resolveTeam } from './teams.js';

// The steps the control state machine's commands are made of (control.ts holds the table).

export function checkVersion(conv: Conversation, expected: number | undefined): void {
  if (expected !== undefined && expected !== conv.controlVersion) {
    throw new BatonError('stale_control', `Control is at version ${conv.controlVersion}, not ${expected}: it moved since you last looked.`, {
      controlVersion: conv.controlVersion,
      expectedVersion: expected,
    });
  }
}

export function requireEnabled(conv: Conversation, env: TransitionEnv, componentId: string | undefined): void {
  if (componentId !== undefined && !isEnabled(conv, env.account, componentId)) {
    throw new BatonError('component_disabled', `Component ${componentId} is not enabled in conversation ${conv.id}; ${describeControl(conv, env)}.`, {
      componentId,
      controller: controllerOf(conv, env.account),
      controlVersion: conv.controlVersion,
    });
  }
}

export function describeControl(conv: Conversation, env: TransitionEnv): string {
  const c = controllerOf(conv, env.account);
  if (c === 'bot') return `the bot ${conv.bot} is in control`;
  if (c === 'desk') return `the desk ${conv.desk} is in control`;
  return 'nobody is in control';
}

/**
 * Appends the event that moves control: the version moves so late callers are refused
 * (`stale_control`), and the event carries the new version and who holds the conversation now.
 */
export function moved(conv: Conversation, env: TransitionEnv, out: EventDraft[], draft: EventDraft): void {
  out.push(draft);
  // Control moved, so an offer made before the move offers what is no longer there.
  if (conv.offer) conv.offer = null;
  conv.controlVersion += 1;
  draft.data.controlVersion = conv.controlVersion;
  draft.data.controller = controllerOf(conv, env.account);
}

/**
 * Appends a command's own closing event; when the command moved control and no step recorded
 * the move (a switch that disabled the bot, a conversation born in an emergency), this one does.
 */
export function settle(conv: Conversation, env: TransitionEnv, out: EventDraft[], draft: EventDraft, start: { controller: string; version: number }): void {
  if (controllerOf(conv, env.account) !== start.controller && conv.controlVersion === start.version) moved(conv, env, out, draft);
  else out.push(draft);
}

/**
 * A new agent session: every handover opens one with a new id. Only the customer's return reopens
 * a closed one, and only for the humans (control.ts customer_message).
 */
export function openAgentSession(conv: Conversation, env: TransitionEnv, init: Partial<AgentSession> & { reason: string }): AgentSession {
  const session: AgentSession = {
    id: env.newId(),
    status: init.agentId ? 'assigned' : 'queued',
    desk: conv.desk,
    team: init.team ?? null,
    agentId: init.agentId ?? null,
    note: init.note ?? null,
    context: init.context ?? {},
    reason: init.reason,
    hadAgentReply: false,
    openedAt: env.now,
    closedAt: null,
    closeReason: null,
  };
  conv.agentSession = session;
  return session;
}

export function closeAgentSession(conv: Conversation, env: TransitionEnv, out: EventDraft[], reason: string, agentId?: string): void {
  const s = conv.agentSession;
  if (!isAgentSessionOpen(s)) return;
  s.status = 'closed';
  s.closedAt = env.now;
  s.closeReason = reason;
  out.push({ type: 'agent_session.closed', data: { agentSessionId: s.id, reason, agentId: agentId ?? s.agentId, categories: [...conv.categories] } });
}

export function openBotSessionIfNeeded(conv: Conversation, env: TransitionEnv, out: EventDraft[]): void {
  if (!conv.bot || conv.botSession || !isBotEnabled(conv, env.account)) return;
  conv.botSession = { id: env.newId(), componentId: conv.bot, openedAt: env.now };
  out.push({ type: 'bot_session.opened', data: { botSessionId: conv.botSession.id, componentId: conv.bot } });
}

export function swapCategory(conv: Conversation, from: string, to: string): void {
  const next = conv.categories.filter((c) => c !== from);
  if (!next.includes(to)) next.push(to);
  conv.categories = next;
}

/**
 * The routing a thread starts with, the only place it is written: the rule's defaults (no
 * mutations, the rule's team), or the humans when the channel starts new threads with them (its
 * emergency switch). The first thread takes the channel's default categories (the bot's mapped to
 * the agents' when it starts with the humans); a later one swaps to whoever holds it.
 */
export function threadDefaults(conv: Conversation, account: Account, toHumans: boolean, channelCategories: string[] | null): void {
  conv.mutations = {};
  conv.team = conv.ruleTeam;
  if (toHumans && conv.bot) conv.mutations[conv.bot] = false;
  const { bot, agent } = account.categories;
  if (channelCategories) {
    conv.categories = toHumans && conv.bot ? [...new Set(channelCategories.map((c) => (c === bot ? agent : c)).concat(agent))] : [...channelCategories];
  } else if (controllerOf(conv, account) === 'bot') swapCategory(conv, agent, bot);
  else if (toHumans) swapCategory(conv, bot, agent);
}

/**
 * A new thread in the same chat: the conversation was closed, or the customer came back after the
 * thread inclusion delay. It has a new id and no intervention: a work item still open in the old
 * thread ends with it. Only a move of control is an event.
 */
export function startOver(conv: Conversation, env: TransitionEnv, out: EventDraft[], reason: string): void {
  const number = currentThread(conv).number + 1;
  conv.thread = { id: threadId(conv.id, number), number, startedAt: env.now };
  const w = conv.workItem;
  if (w && !w.closedAt) {
    w.closedAt = env.now;
    out.push({ type: 'work_item.closed', data: { workItemId: w.id, by: null, owner: w.owner, replies: w.replies, reason: 'thread_ended' } });
  }
  conv.agentSession = null;
  const before = controllerOf(conv, env.account);
  threadDefaults(conv, env.account, env.newThreadToHumans === true, null);
  if (controllerOf(conv, env.account) !== before) moved(conv, env, out, { type: 'reset', data: { by: null, reason } });
}

/** The work item a reply counts toward: the open one its author owns. */
export function ownedWorkItem(conv: Conversation, cmd: Extract<ControlCommand, { type: 'reply' }>): WorkItem | null {
  const w = conv.workItem;
  if (!w || w.closedAt) return null;
  const author = w.owner.kind === 'component' ? cmd.componentId : cmd.authorKind === 'agent' ? cmd.agentId : undefined;
  return author === w.owner.id ? w : null;
}

export function openWorkItemId(conv: Conversation): string | null {
  return conv.workItem && !conv.workItem.closedAt ? conv.workItem.id : null;
}

export function requireDesk(conv: Conversation, env: TransitionEnv, desk: string | undefined): string {
  const chosen = desk ?? conv.desk ?? env.account.defaultDesk;
  if (!chosen) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no desk to hand over to: name one in the rule or set the account's defaultDesk.`);
  return chosen;
}

export function doHandover(conv: Conversation, env: TransitionEnv, out: EventDraft[], opts: { by?: string; note?: string; context?: Record<string, unknown>; team?: string; desk?: string; reason: string; agentId?: string; eventType: 'handover' | 'takeover' }): void {
  conv.desk = requireDesk(conv, env, opts.desk);
  if (conv.bot) conv.mutations[conv.bot] = false;
  delete conv.mutations[conv.desk];
  if (opts.context) conv.context = { ...conv.context, ...opts.context };
  const team = opts.team ?? resolveTeam(conv.context, env.account.teams) ?? conv.ruleTeam;
  conv.team = team;
  const session = openAgentSession(conv, env, { team, note: opts.note ?? null, context: opts.context ?? {}, reason: opts.reason, ...(opts.agentId ? { agentId: opts.agentId } : {}) });
  swapCategory(conv, env.account.categories.bot, env.account.categories.agent);
  moved(conv, env, out, {
    type: opts.eventType,
    data: { by: opts.by ?? null, reason: opts.reason, agentSessionId: session.id, desk: conv.desk, team, note: session.note, context: session.context, agentId: session.agentId },
  });
}

export function doHandback(conv: Conversation, env: TransitionEnv, out: EventDraft[], opts: { by?: string; reason: string; position?: { flow: string; step: string } }): void {
  if (!conv.bot) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no bot to hand back to.`);
  if (env.account.emergency) throw new BatonError('invalid_transition', 'The account\'s emergency handover is on: bots stay disabled until it is switched off.');
  closeAgentSession(conv, env, out, opts.reason);
  conv.mutations[conv.bot] = true;
  conv.emergency = false;
  swapCategory(conv, env.account.categories.agent, env.account.categories.bot);
  moved(conv, env, out, { type: 'handback', data: { by: opts.by ?? null, reason: opts.reason, bot: conv.bot, position: opts.position ?? null } });
  openBotSessionIfNeeded(conv, env, out);
  if (opts.position) {
    conv.position = opts.position;
    out.push({ type: 'position.requested', data: { by: opts.by ?? null, flow: opts.position.flow, step: opts.position.step } });
  }
}

/**
 * A bot speaks for one bot session (IMI Conversationid); once it closed, the next customer
 * message opens another and the old id answers nothing.
 */
export function requireBotSession(conv: Conversation, botSessionId: string | undefined): void {
  if (botSessionId !== undefined && conv.botSession?.id !== botSessionId) {
    throw new BatonError('invalid_transition', `The BOT conversation ${botSessionId} was closed; use the Conversationid of the latest event.`);
  }
}
