import { BatonError } from './errors.js';
import type { EventDraft } from './events.js';
import { type Conversation, type WorkItem, controllerOf, isAgentSessionOpen, isBotEnabled, modeIncludesBot } from './conversation.js';
import type { CommandType, ControlCommand, TransitionEnv, TransitionResult } from './control-types.js';
import { checkVersion, requireEnabled, bump, openAgentSession, closeAgentSession, openBotSessionIfNeeded, swapCategory, startOver, ownedWorkItem, openWorkItemId, requireDesk, doHandover, doHandback } from './control-steps.js';
import { resolveTeam } from './teams.js';

export type { CommandType, ControlCommand, TransitionEnv, TransitionResult } from './control-types.js';

/** The close reason of a session an agent completed; the only kind a customer message reopens. */
const AGENT_CLOSED = 'closed';

/**
 * The control state machine (DESIGN.md section 3) as one transition function:
 * `transition(conversation, command, env)` returns the new conversation and the events the change
 * emits, with no I/O. The router runs it inside a store transaction; tests run it bare.
 */
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


const handlers: HandlerTable = {
  customer_message(conv, cmd, env, out) {
    const newThread = resume(conv, env, out);
    // The first customer message of a thread (Engage first_in_thread): of the conversation, or since it started over.
    const first = newThread || conv.lastCustomerMessageAt === null;
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
    out.push({ type: 'message.received', data: { messageId: cmd.messageId, controller: controllerOf(conv, env.account), controlVersion: conv.controlVersion, botSessionId: conv.botSession?.id ?? null, agentSessionId: isAgentSessionOpen(conv.agentSession) ? conv.agentSession.id : null, categories: [...conv.categories], ...(first ? { first: true } : {}), ...threadOf(conv), ...(workItemId ? { workItemId } : {}) } });
  },

  reply(conv, cmd, env, out) {
    if (conv.status === 'closed') throw new BatonError('invalid_transition', `Conversation ${conv.id} is closed; the customer's next message reopens it.`);
    checkVersion(conv, cmd.expectedVersion);
    requireEnabled(conv, env, cmd.componentId);
    if (cmd.authorKind === 'agent' && conv.agentSession && isAgentSessionOpen(conv.agentSession)) {
      const s = conv.agentSession;
      s.hadAgentReply = true;
      s.replies = (s.replies ?? 0) + 1;
      // Answering an unassigned conversation takes it, and says so like any other take.
      if (cmd.agentId && !s.agentId) {
        s.agentId = cmd.agentId;
        s.status = 'assigned';
        out.push({ type: 'agent_session.assigned', data: { agentSessionId: s.id, agentId: cmd.agentId, reason: 'reply' } });
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
    if (cmd.authorKind === 'bot' && cmd.componentId === conv.bot) delete conv.botUnavailableSince;
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
        ...threadOf(conv),
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
    const held = conv.agentSession;
    if (!isBotEnabled(conv, env.account) && isAgentSessionOpen(held) && held.agentId && held.agentId !== cmd.agentId) throw taken(conv, held.agentId);
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
    // A take is a compare-and-set: the command runs under the conversation's lock, so of two
    // agents taking at once the second sees the first one's name here.
    if (s.agentId === cmd.agentId && s.status === 'assigned') return;
    if (s.agentId && s.agentId !== cmd.agentId && !cmd.reassign) throw taken(conv, s.agentId);
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

  add_note(_conv, cmd, _env, out) {
    // Control is untouched: a note is a word between agents, allowed whoever holds the conversation.
    out.push({ type: 'note.added', data: { agentId: cmd.agentId, text: cmd.text } });
  },

  bot_failover(conv, cmd, env, out) {
    // Only a bot still in control of an open conversation can leave a customer waiting.
    if (conv.status === 'closed' || conv.bot !== cmd.botId || !isBotEnabled(conv, env.account)) return;
    const policy = botFailoverPolicy(conv, env);
    if (policy === 'wait') return;
    const desk = conv.desk ?? env.account.defaultDesk;
    if (policy === 'handover' && desk) {
      const note = `The bot ${cmd.botId} could not be reached (${cmd.reason}), so the conversation came to the humans.`;
      doHandover(conv, env, out, { note, reason: 'bot_unavailable', eventType: 'handover' });
      delete conv.botUnavailableSince;
      return;
    }
    if (conv.botUnavailableSince) return;
    conv.botUnavailableSince = env.now;
    out.push({ type: 'bot.unavailable', data: { bot: cmd.botId, reason: cmd.reason, policy } });
  },

  handover_wait_expired(conv, cmd, env, out) {
    const s = conv.agentSession;
    if (!s || s.id !== cmd.agentSessionId || s.status !== 'queued') return;
    if (env.account.availability.policy !== 'keep-bot' || !conv.bot || env.account.emergency) return;
    out.push({ type: 'handover.rejected', data: { by: null, reason: 'no_agent_answered', team: s.team, desk: conv.desk } });
    doHandback(conv, env, out, { reason: 'no_agent_answered' });
  },
};

/**
 * What a customer's message finds when the last thread is over or paused, before it is routed:
 * a closed conversation, or silence longer than the thread inclusion delay (since their last
 * message or the agent session's close, whichever is later), starts a new thread; within the
 * delay, an agent session an agent closed reopens, with its id, if the humans still have the
 * conversation. With the bot in control (bot-first, or the bot took the thread back) nothing
 * reopens: the bot answers, and a handover opens a new agent session. True when a thread started.
 */
function resume(conv: Conversation, env: TransitionEnv, out: EventDraft[]): boolean {
  if (conv.status === 'closed') {
    // Closing a thread blocks reopening (seed 003): the next message starts a new one.
    conv.status = 'open';
    out.push({ type: 'conversation.reopened', data: {} });
    startOver(conv, env, out, 'conversation_closed');
    return true;
  }
  const s = conv.agentSession;
  if (s && s.status !== 'closed') return false;
  const since = [s?.closedAt, conv.lastCustomerMessageAt].filter((t): t is string => typeof t === 'string').sort().at(-1);
  if (since === undefined) return false;
  if (Date.parse(env.now) - Date.parse(since) > env.account.threadInclusionDelayMs) {
    startOver(conv, env, out, 'thread_inclusion_delay_expired');
    return true;
  }
  // Handed back, reset or timed out: nothing for the humans to reopen.
  if (!s || s.closeReason !== AGENT_CLOSED || isBotEnabled(conv, env.account)) return false;
  s.status = s.agentId ? 'assigned' : 'queued';
  s.closedAt = null;
  out.push({ type: 'agent_session.reopened', data: { agentSessionId: s.id, policy: env.account.reopenPolicy, handledBy: 'desk', categories: [...conv.categories] } });
  return false;
}

/** The thread an event belongs to, named only once the conversation has started over (the first one's id is the conversation's). */
function threadOf(conv: Conversation): { threadId?: string } {
  return conv.thread ? { threadId: conv.thread.id } : {};
}

/** The account's policy, or the default: to the humans when the rule gave the conversation a desk. */
function botFailoverPolicy(conv: Conversation, env: TransitionEnv): 'handover' | 'notify' | 'wait' {
  return env.account.botFailover?.policy ?? (conv.mode === 'bot+desk' ? 'handover' : 'notify');
}

/** The refusal of a take (or an answer) in a conversation another agent holds, naming that agent. */
function taken(conv: Conversation, agentId: string): BatonError {
  return new BatonError('conversation_taken', `Conversation ${conv.id} is already taken by agent ${agentId}; ask them, or reassign it.`, { agentId });
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
