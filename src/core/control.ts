import { BatonError } from './errors.js';
import type { EventDraft } from './events.js';
import type { Account } from './model.js';
import {
  type AgentSession,
  type Conversation,
  type WorkItem,
  controllerOf,
  isAgentSessionOpen,
  isBotEnabled,
  isEnabled,
  modeIncludesBot,
} from './conversation.js';
import { resolveTeam } from './teams.js';

/** The close reason of a session an agent completed; the only kind a customer message reopens. */
const AGENT_CLOSED = 'closed';

/**
 * The control state machine (DESIGN.md section 3) as one transition function:
 * `transition(conversation, command, env)` returns the new conversation and the events the change
 * emits, with no I/O. The router runs it inside a store transaction; tests run it bare.
 */
export type ControlCommand =
  | { type: 'customer_message'; messageId: string }
  | { type: 'reply'; componentId: string; authorKind: 'bot' | 'agent' | 'system'; agentId?: string; messageId: string; expectedVersion?: number; echo?: boolean; inReplyTo?: { messageId: string; authorId: string | null } }
  | { type: 'handover'; by?: string; note?: string; context?: Record<string, unknown>; team?: string; desk?: string; expectedVersion?: number; reason?: string }
  | { type: 'takeover'; by?: string; agentId?: string; expectedVersion?: number }
  | { type: 'handback'; by?: string; position?: { flow: string; step: string }; expectedVersion?: number; reason?: string }
  | { type: 'position'; flow: string; step: string; by?: string }
  | { type: 'reset'; by?: string; expectedVersion?: number }
  | { type: 'mutate'; by?: string; mutations: { componentId: string; enabled: boolean }[]; context?: Record<string, unknown>; expectedVersion?: number }
  | { type: 'close_bot_session'; by?: string }
  | { type: 'close_agent_session'; agentId?: string }
  | { type: 'close'; by?: string; expectedVersion?: number }
  | { type: 'assign'; agentId: string }
  | { type: 'transfer'; team: string | null }
  | { type: 'defer'; agentId?: string }
  | { type: 'update_context'; context: Record<string, unknown> }
  | { type: 'set_categories'; by?: string; categories: string[]; desk?: string; team?: string; expectedVersion?: number }
  | { type: 'open_work_item'; owner: WorkItem['owner']; messageId: string }
  | { type: 'close_work_item'; workItemId: string; by?: string }
  | { type: 'emergency_on' }
  | { type: 'emergency_off' }
  | { type: 'handover_wait_expired'; agentSessionId: string }
  | { type: 'message_status'; messageId: string; componentId: string; status: 'delivered' | 'failed' | 'read'; description?: string };

export type CommandType = ControlCommand['type'];

export interface TransitionEnv {
  account: Account;
  now: string;
  newId: () => string;
  /** Whether an agent who could take a handover is online (real-time channels only ask). */
  agentsAvailable: boolean;
  realtime: boolean;
  /** The channel starts new threads with the humans (its emergency switch). */
  newThreadToHumans?: boolean;
}

export interface TransitionResult {
  conversation: Conversation;
  events: EventDraft[];
}

type Handler<C extends ControlCommand> = (conv: Conversation, cmd: C, env: TransitionEnv, out: EventDraft[]) => void;
type HandlerTable = { [K in CommandType]: Handler<Extract<ControlCommand, { type: K }>> };

export function transition(current: Conversation, cmd: ControlCommand, env: TransitionEnv): TransitionResult {
  const conv = structuredClone(current);
  const before = controllerOf(conv, env.account);
  const events: EventDraft[] = [];
  const handler = handlers[cmd.type] as Handler<ControlCommand>;
  handler(conv, cmd, env, events);
  conv.controller = controllerOf(conv, env.account);
  // A command that moved control without saying so still moves the version: late callers must see it.
  if (conv.controller !== before && conv.controlVersion === current.controlVersion) bump(conv, events);
  conv.updatedAt = env.now;
  return { conversation: conv, events };
}

function checkVersion(conv: Conversation, expected: number | undefined): void {
  if (expected !== undefined && expected !== conv.controlVersion) {
    throw new BatonError('stale_control', `Control is at version ${conv.controlVersion}, not ${expected}: it moved since you last looked.`, {
      controlVersion: conv.controlVersion,
      expectedVersion: expected,
    });
  }
}

function requireEnabled(conv: Conversation, env: TransitionEnv, componentId: string | undefined): void {
  if (componentId !== undefined && !isEnabled(conv, env.account, componentId)) {
    throw new BatonError('component_disabled', `Component ${componentId} is not enabled in conversation ${conv.id}; ${describeControl(conv, env)}.`, {
      componentId,
      controller: controllerOf(conv, env.account),
      controlVersion: conv.controlVersion,
    });
  }
}

function describeControl(conv: Conversation, env: TransitionEnv): string {
  const c = controllerOf(conv, env.account);
  if (c === 'bot') return `the bot ${conv.bot} is in control`;
  if (c === 'desk') return `the desk ${conv.desk} is in control`;
  return 'nobody is in control';
}

/** Records a change of control: the version moves so late callers are refused (`stale_control`). */
function bump(conv: Conversation, events: EventDraft[]): void {
  conv.controlVersion += 1;
  const last = events[events.length - 1];
  if (last) {
    last.data.controlVersion = conv.controlVersion;
    last.data.controller = conv.controller;
  }
}

function openAgentSession(conv: Conversation, env: TransitionEnv, init: Partial<AgentSession> & { reason: string }): AgentSession {
  const reused = conv.agentSession?.status === 'reopened' ? conv.agentSession : null;
  const session: AgentSession = {
    id: reused?.id ?? env.newId(),
    status: init.agentId ? 'assigned' : 'queued',
    desk: conv.desk,
    team: init.team ?? null,
    agentId: init.agentId ?? null,
    note: init.note ?? null,
    context: init.context ?? {},
    reason: init.reason,
    hadAgentReply: reused?.hadAgentReply ?? false,
    openedAt: reused?.openedAt ?? env.now,
    closedAt: null,
    closeReason: null,
  };
  conv.agentSession = session;
  return session;
}

function closeAgentSession(conv: Conversation, env: TransitionEnv, out: EventDraft[], reason: string, agentId?: string): void {
  const s = conv.agentSession;
  if (!isAgentSessionOpen(s)) return;
  s.status = 'closed';
  s.closedAt = env.now;
  s.closeReason = reason;
  out.push({ type: 'agent_session.closed', data: { agentSessionId: s.id, reason, agentId: agentId ?? s.agentId, categories: [...conv.categories] } });
}

function openBotSessionIfNeeded(conv: Conversation, env: TransitionEnv, out: EventDraft[]): void {
  if (!conv.bot || conv.botSession || !isBotEnabled(conv, env.account)) return;
  conv.botSession = { id: env.newId(), componentId: conv.bot, openedAt: env.now };
  out.push({ type: 'bot_session.opened', data: { botSessionId: conv.botSession.id, componentId: conv.bot } });
}

function swapCategory(conv: Conversation, from: string, to: string): void {
  const next = conv.categories.filter((c) => c !== from);
  if (!next.includes(to)) next.push(to);
  conv.categories = next;
}

/**
 * A new thread in the same chat: the conversation was closed, or the customer came back after the
 * thread inclusion delay. The rule's defaults apply again (or the humans, when the channel starts
 * new threads with them). Only a move of control is an event.
 */
function startOver(conv: Conversation, env: TransitionEnv, out: EventDraft[], reason: string): void {
  conv.agentSession = null;
  const before = controllerOf(conv, env.account);
  conv.mutations = {};
  conv.team = conv.ruleTeam;
  if (env.newThreadToHumans && conv.bot) conv.mutations[conv.bot] = false;
  conv.controller = controllerOf(conv, env.account);
  if (conv.controller === 'bot') swapCategory(conv, env.account.categories.agent, env.account.categories.bot);
  else if (env.newThreadToHumans) swapCategory(conv, env.account.categories.bot, env.account.categories.agent);
  if (conv.controller !== before) {
    out.push({ type: 'reset', data: { by: null, reason } });
    bump(conv, out);
  }
}

/** The work item a reply counts toward: the open one its author owns. */
function ownedWorkItem(conv: Conversation, cmd: Extract<ControlCommand, { type: 'reply' }>): WorkItem | null {
  const w = conv.workItem;
  if (!w || w.closedAt) return null;
  const author = w.owner.kind === 'component' ? cmd.componentId : cmd.authorKind === 'agent' ? cmd.agentId : undefined;
  return author === w.owner.id ? w : null;
}

function openWorkItemId(conv: Conversation): string | null {
  return conv.workItem && !conv.workItem.closedAt ? conv.workItem.id : null;
}

function requireDesk(conv: Conversation, env: TransitionEnv, desk: string | undefined): string {
  const chosen = desk ?? conv.desk ?? env.account.defaultDesk;
  if (!chosen) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no desk to hand over to: name one in the rule or set the account's defaultDesk.`);
  return chosen;
}

function doHandover(conv: Conversation, env: TransitionEnv, out: EventDraft[], opts: { by?: string; note?: string; context?: Record<string, unknown>; team?: string; desk?: string; reason: string; agentId?: string; eventType: 'handover' | 'takeover' }): void {
  conv.desk = requireDesk(conv, env, opts.desk);
  if (conv.bot) conv.mutations[conv.bot] = false;
  delete conv.mutations[conv.desk];
  if (opts.context) conv.context = { ...conv.context, ...opts.context };
  const team = opts.team ?? resolveTeam(conv.context, env.account.teams) ?? conv.ruleTeam;
  conv.team = team;
  const session = openAgentSession(conv, env, { team, note: opts.note ?? null, context: opts.context ?? {}, reason: opts.reason, ...(opts.agentId ? { agentId: opts.agentId } : {}) });
  swapCategory(conv, env.account.categories.bot, env.account.categories.agent);
  conv.controller = 'desk';
  out.push({
    type: opts.eventType,
    data: { by: opts.by ?? null, reason: opts.reason, agentSessionId: session.id, desk: conv.desk, team, note: session.note, context: session.context, agentId: session.agentId },
  });
  bump(conv, out);
}

function doHandback(conv: Conversation, env: TransitionEnv, out: EventDraft[], opts: { by?: string; reason: string; position?: { flow: string; step: string } }): void {
  if (!conv.bot) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no bot to hand back to.`);
  if (env.account.emergency) throw new BatonError('invalid_transition', 'The account\'s emergency handover is on: bots stay disabled until it is switched off.');
  closeAgentSession(conv, env, out, opts.reason);
  conv.mutations[conv.bot] = true;
  conv.emergency = false;
  swapCategory(conv, env.account.categories.agent, env.account.categories.bot);
  conv.controller = 'bot';
  out.push({ type: 'handback', data: { by: opts.by ?? null, reason: opts.reason, bot: conv.bot, position: opts.position ?? null } });
  bump(conv, out);
  openBotSessionIfNeeded(conv, env, out);
  if (opts.position) {
    conv.position = opts.position;
    out.push({ type: 'position.requested', data: { by: opts.by ?? null, flow: opts.position.flow, step: opts.position.step } });
  }
}

const handlers: HandlerTable = {
  customer_message(conv, cmd, env, out) {
    const first = conv.lastCustomerMessageAt === null;
    const s = conv.agentSession;
    if (conv.status === 'closed') {
      // Closing a thread blocks reopening (seed 003): the next message starts a new one.
      conv.status = 'open';
      out.push({ type: 'conversation.reopened', data: {} });
      startOver(conv, env, out, 'conversation_closed');
    } else if (s && s.status === 'closed' && s.closedAt) {
      const withinDelay = Date.parse(env.now) - Date.parse(s.closedAt) <= env.account.threadInclusionDelayMs;
      if (withinDelay && s.closeReason !== AGENT_CLOSED) {
        // Handed back, reset or timed out: nothing for the humans to reopen.
      } else if (withinDelay) {
        const byBot = isBotEnabled(conv, env.account);
        s.status = byBot ? 'reopened' : s.agentId ? 'assigned' : 'queued';
        s.closedAt = null;
        out.push({ type: 'agent_session.reopened', data: { agentSessionId: s.id, policy: env.account.reopenPolicy, handledBy: byBot ? 'bot' : 'desk', categories: [...conv.categories] } });
      } else {
        startOver(conv, env, out, 'thread_inclusion_delay_expired');
      }
    }
    // Born (or back) during an emergency: marked so that switching it off gives the bot back, and
    // categorised as the agents' like every conversation the emergency hands over.
    if (env.account.emergency && conv.bot && !conv.emergency && (conv.mutations[conv.bot] ?? modeIncludesBot(conv.mode))) {
      conv.emergency = true;
      swapCategory(conv, env.account.categories.bot, env.account.categories.agent);
    }
    openBotSessionIfNeeded(conv, env, out);
    const desk = conv.desk ?? env.account.defaultDesk;
    if (!isBotEnabled(conv, env.account) && desk && conv.mutations[desk] !== false && !isAgentSessionOpen(conv.agentSession)) {
      conv.desk = desk;
      const team = resolveTeam(conv.context, env.account.teams);
      conv.team = conv.team ?? team;
      const session = openAgentSession(conv, env, { team: conv.team, reason: env.account.emergency ? 'emergency' : 'rule' });
      out.push({ type: 'agent_session.opened', data: { agentSessionId: session.id, desk: conv.desk, team: conv.team, reason: session.reason } });
    }
    conv.lastCustomerMessageAt = env.now;
    // The version travels with the message so the one who answers can send it back as expectedVersion.
    // The categories travel as they are now: renderers see the conversation only as it is later.
    const workItemId = openWorkItemId(conv);
    out.push({ type: 'message.received', data: { messageId: cmd.messageId, controller: controllerOf(conv, env.account), controlVersion: conv.controlVersion, botSessionId: conv.botSession?.id ?? null, agentSessionId: isAgentSessionOpen(conv.agentSession) ? conv.agentSession.id : null, categories: [...conv.categories], ...(first ? { first: true } : {}), ...(workItemId ? { workItemId } : {}) } });
  },

  reply(conv, cmd, env, out) {
    if (conv.status === 'closed') throw new BatonError('invalid_transition', `Conversation ${conv.id} is closed; the customer's next message reopens it.`);
    checkVersion(conv, cmd.expectedVersion);
    requireEnabled(conv, env, cmd.componentId);
    if (cmd.authorKind === 'agent' && conv.agentSession && isAgentSessionOpen(conv.agentSession)) {
      conv.agentSession.hadAgentReply = true;
      conv.agentSession.replies = (conv.agentSession.replies ?? 0) + 1;
      if (cmd.agentId && !conv.agentSession.agentId) {
        conv.agentSession.agentId = cmd.agentId;
        conv.agentSession.status = 'assigned';
      }
    }
    const work = ownedWorkItem(conv, cmd);
    if (work) {
      const since = conv.lastCustomerMessageAt && conv.lastCustomerMessageAt > work.openedAt ? conv.lastCustomerMessageAt : work.openedAt;
      work.replies += 1;
      work.firstReplyId ??= cmd.messageId;
      work.firstReplyAt ??= env.now;
      work.lastReplyAt = env.now;
      work.lastReplyTimeMs = Math.max(0, Date.parse(env.now) - Date.parse(since));
      work.replyTimeTotalMs += work.lastReplyTimeMs;
    }
    const workItemId = openWorkItemId(conv);
    out.push({
      type: 'message.sent',
      data: {
        messageId: cmd.messageId,
        componentId: cmd.componentId,
        authorKind: cmd.authorKind,
        agentId: cmd.agentId ?? null,
        botSessionId: conv.botSession?.id ?? null,
        agentSessionId: isAgentSessionOpen(conv.agentSession) ? conv.agentSession.id : null,
        categories: [...conv.categories],
        ...(workItemId ? { workItemId } : {}),
        ...(cmd.inReplyTo ? { inReplyTo: cmd.inReplyTo } : {}),
        ...(cmd.echo ? { echo: true } : {}),
      },
    });
  },

  handover(conv, cmd, env, out) {
    checkVersion(conv, cmd.expectedVersion);
    requireEnabled(conv, env, cmd.by);
    if (!isBotEnabled(conv, env.account)) throw new BatonError('invalid_transition', `Conversation ${conv.id} is already with the desk; there is nothing to hand over.`);
    const desk = requireDesk(conv, env, cmd.desk);
    const team = cmd.team ?? resolveTeam({ ...conv.context, ...(cmd.context ?? {}) }, env.account.teams);
    if (env.realtime && !env.agentsAvailable && env.account.availability.policy === 'keep-bot') {
      out.push({ type: 'handover.rejected', data: { by: cmd.by ?? null, reason: 'no_agents_available', team, desk } });
      return;
    }
    doHandover(conv, env, out, { ...cmd, desk, ...(team ? { team } : {}), reason: cmd.reason ?? 'bot', eventType: 'handover' });
  },

  takeover(conv, cmd, env, out) {
    checkVersion(conv, cmd.expectedVersion);
    if (!isBotEnabled(conv, env.account)) throw new BatonError('invalid_transition', `Conversation ${conv.id} is not with a bot; there is nothing to take over.`);
    doHandover(conv, env, out, { ...(cmd.by ? { by: cmd.by, desk: cmd.by } : {}), ...(cmd.agentId ? { agentId: cmd.agentId } : {}), reason: 'takeover', eventType: 'takeover' });
  },

  handback(conv, cmd, env, out) {
    checkVersion(conv, cmd.expectedVersion);
    requireEnabled(conv, env, cmd.by);
    if (isBotEnabled(conv, env.account)) throw new BatonError('invalid_transition', `Conversation ${conv.id} is already with the bot.`);
    doHandback(conv, env, out, { ...cmd, reason: cmd.reason ?? 'handback' });
  },

  position(conv, cmd, _env, out) {
    conv.position = { flow: cmd.flow, step: cmd.step };
    out.push({ type: 'position.requested', data: { by: cmd.by ?? null, flow: cmd.flow, step: cmd.step } });
  },

  reset(conv, cmd, env, out) {
    checkVersion(conv, cmd.expectedVersion);
    conv.mutations = {};
    // The account's emergency outlives a reset: the conversation must still come back when it ends.
    conv.emergency = env.account.emergency && conv.bot !== null && modeIncludesBot(conv.mode);
    conv.team = conv.ruleTeam;
    if (isBotEnabled(conv, env.account)) {
      closeAgentSession(conv, env, out, 'reset');
      swapCategory(conv, env.account.categories.agent, env.account.categories.bot);
    }
    conv.controller = controllerOf(conv, env.account);
    out.push({ type: 'reset', data: { by: cmd.by ?? null, reason: 'reset', controller: conv.controller } });
    bump(conv, out);
  },

  mutate(conv, cmd, env, out) {
    checkVersion(conv, cmd.expectedVersion);
    if (cmd.context) {
      conv.context = { ...conv.context, ...cmd.context };
      out.push({ type: 'context.updated', data: { context: cmd.context } });
    }
    const wasBot = isBotEnabled(conv, env.account);
    for (const m of cmd.mutations) {
      if (m.componentId === conv.bot && !m.enabled && wasBot) {
        const takeover = cmd.by !== undefined && cmd.by !== conv.bot && cmd.by === conv.desk;
        // The mutation's context travels with the handover, as a handover's own does, so the desk sees it.
        doHandover(conv, env, out, { ...(cmd.by ? { by: cmd.by } : {}), ...(cmd.context ? { context: cmd.context } : {}), reason: takeover ? 'takeover' : 'bot', eventType: takeover ? 'takeover' : 'handover' });
      } else if (m.componentId === conv.bot && m.enabled && !isBotEnabled(conv, env.account)) {
        doHandback(conv, env, out, { ...(cmd.by ? { by: cmd.by } : {}), reason: 'handback' });
      } else {
        conv.mutations[m.componentId] = m.enabled;
      }
    }
    out.push({ type: 'control.mutated', data: { by: cmd.by ?? null, mutations: cmd.mutations, context: cmd.context ?? null, controller: controllerOf(conv, env.account) } });
  },

  close_bot_session(conv, cmd, _env, out) {
    if (!conv.botSession) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no open bot session.`);
    out.push({ type: 'bot_session.closed', data: { botSessionId: conv.botSession.id, by: cmd.by ?? null } });
    conv.botSession = null;
  },

  close_agent_session(conv, cmd, env, out) {
    if (!isAgentSessionOpen(conv.agentSession)) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no open agent session.`);
    closeAgentSession(conv, env, out, 'closed', cmd.agentId);
    if (env.account.reopenPolicy === 'bot-first' && conv.bot && !env.account.emergency) {
      doHandback(conv, env, out, { reason: 'agent_session_closed' });
    }
  },

  close(conv, cmd, env, out) {
    checkVersion(conv, cmd.expectedVersion);
    if (conv.status === 'closed') throw new BatonError('invalid_transition', `Conversation ${conv.id} is already closed.`);
    closeAgentSession(conv, env, out, 'conversation_closed');
    if (conv.botSession) {
      out.push({ type: 'bot_session.closed', data: { botSessionId: conv.botSession.id, by: cmd.by ?? null } });
      conv.botSession = null;
    }
    conv.status = 'closed';
    out.push({ type: 'conversation.closed', data: { by: cmd.by ?? null } });
  },

  assign(conv, cmd, _env, out) {
    const s = conv.agentSession;
    if (!isAgentSessionOpen(s)) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no open agent session to assign.`);
    s.agentId = cmd.agentId;
    s.status = 'assigned';
    out.push({ type: 'agent_session.assigned', data: { agentSessionId: s.id, agentId: cmd.agentId } });
  },

  transfer(conv, cmd, _env, out) {
    const s = conv.agentSession;
    if (!isAgentSessionOpen(s)) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no open agent session to transfer.`);
    s.team = cmd.team;
    s.agentId = null;
    s.status = 'queued';
    conv.team = cmd.team;
    out.push({ type: 'agent_session.transferred', data: { agentSessionId: s.id, team: cmd.team } });
  },

  defer(conv, cmd, env, out) {
    const s = conv.agentSession;
    if (!isAgentSessionOpen(s)) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no open agent session to defer.`);
    s.status = 'deferred';
    s.deferredAt = env.now;
    out.push({ type: 'agent_session.deferred', data: { agentSessionId: s.id, agentId: cmd.agentId ?? s.agentId } });
  },

  update_context(conv, cmd, _env, out) {
    conv.context = { ...conv.context, ...cmd.context };
    out.push({ type: 'context.updated', data: { context: cmd.context } });
  },

  set_categories(conv, cmd, env, out) {
    checkVersion(conv, cmd.expectedVersion);
    const { bot, agent } = env.account.categories;
    const next = [...new Set(cmd.categories)];
    const previous = conv.categories;
    // The account's two categories say who handles the conversation (Engage handover by
    // recategorisation, seed 003): BOT -> AGENT is a handover, AGENT -> BOT a handback.
    const toHumans = previous.includes(bot) && !next.includes(bot) && next.includes(agent);
    const toBot = previous.includes(agent) && !next.includes(agent) && next.includes(bot);
    const by = cmd.by !== undefined ? { by: cmd.by } : {};
    if (toHumans && isBotEnabled(conv, env.account)) {
      const desk = requireDesk(conv, env, cmd.desk);
      const team = cmd.team ?? resolveTeam(conv.context, env.account.teams) ?? undefined;
      if (env.realtime && !env.agentsAvailable && env.account.availability.policy === 'keep-bot') {
        // The bot keeps the thread, so its categories stay as they were.
        out.push({ type: 'handover.rejected', data: { by: cmd.by ?? null, reason: 'no_agents_available', team: team ?? null, desk } });
        return;
      }
      doHandover(conv, env, out, { ...by, desk, ...(team ? { team } : {}), reason: 'recategorised', eventType: 'handover' });
    } else if (toBot && conv.bot && !isBotEnabled(conv, env.account)) {
      doHandback(conv, env, out, { ...by, reason: 'recategorised' });
    }
    if (sameSet(previous, next) && out.length === 0) return;
    conv.categories = next;
    out.push({ type: 'categories.updated', data: { by: cmd.by ?? null, categories: next, previous } });
  },

  open_work_item(conv, cmd, env, out) {
    const current = conv.workItem;
    if (current && !current.closedAt) throw new BatonError('invalid_transition', `Conversation ${conv.id} already has an open work item (${current.id}, opened by ${current.owner.id}); close it first.`);
    if (current?.messageId === cmd.messageId) throw new BatonError('invalid_transition', `Message ${cmd.messageId} already had a work item (${current.id}).`);
    const item: WorkItem = { id: env.newId(), owner: cmd.owner, messageId: cmd.messageId, openedAt: env.now, closedAt: null, replies: 0, firstReplyId: null, firstReplyAt: null, lastReplyAt: null, replyTimeTotalMs: 0, lastReplyTimeMs: null };
    conv.workItem = item;
    out.push({ type: 'work_item.opened', data: { workItemId: item.id, owner: item.owner, messageId: item.messageId } });
  },

  close_work_item(conv, cmd, env, out) {
    const w = conv.workItem;
    // Only the current work item can be open; an earlier id is one that closed long ago.
    if (!w || w.id !== cmd.workItemId || w.closedAt) throw new BatonError('invalid_transition', `Work item ${cmd.workItemId} is already closed.`);
    if (w.replies === 0) throw new BatonError('invalid_transition', `Work item ${w.id} has no reply from ${w.owner.id} yet; it closes once its owner has answered in it.`);
    w.closedAt = env.now;
    out.push({ type: 'work_item.closed', data: { workItemId: w.id, by: cmd.by ?? null, owner: w.owner, replies: w.replies } });
  },

  emergency_on(conv, _cmd, env, out) {
    // The account flag already disables the bot for reads; this records it per conversation,
    // queues the humans and bumps the version so every party is told.
    if (conv.emergency || !conv.bot || !(conv.mutations[conv.bot] ?? modeIncludesBot(conv.mode))) return;
    if (conv.status === 'closed') return;
    conv.emergency = true;
    doHandover(conv, env, out, { reason: 'emergency', eventType: 'handover' });
    conv.mutations = Object.fromEntries(Object.entries(conv.mutations).filter(([id]) => id !== conv.bot));
  },

  emergency_off(conv, _cmd, env, out) {
    if (!conv.emergency || env.account.emergency) return;
    conv.emergency = false;
    if (!isBotEnabled(conv, env.account)) return;
    closeAgentSession(conv, env, out, 'emergency_ended');
    swapCategory(conv, env.account.categories.agent, env.account.categories.bot);
    conv.controller = 'bot';
    out.push({ type: 'handback', data: { by: null, reason: 'emergency_ended', bot: conv.bot, position: null } });
    bump(conv, out);
  },

  message_status(_conv, cmd, _env, out) {
    out.push({ type: 'message.status', data: { messageId: cmd.messageId, componentId: cmd.componentId, status: cmd.status, description: cmd.description ?? null } });
  },

  handover_wait_expired(conv, cmd, env, out) {
    const s = conv.agentSession;
    if (!s || s.id !== cmd.agentSessionId || s.status !== 'queued') return;
    if (env.account.availability.policy !== 'keep-bot' || !conv.bot || env.account.emergency) return;
    out.push({ type: 'handover.rejected', data: { by: null, reason: 'no_agent_answered', team: s.team, desk: conv.desk } });
    doHandback(conv, env, out, { reason: 'no_agent_answered' });
  },
};

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
