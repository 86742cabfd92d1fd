import { BatonError } from './errors.js';
import type { EventDraft } from './events.js';
import { type Conversation, controllerOf, isAgentSessionOpen, isBotEnabled, modeIncludesBot } from './conversation.js';
import type { PartialTable, TransitionEnv } from './control-types.js';
import { checkVersion, requireEnabled, requireBotSession, openAgentSession, openBotSessionIfNeeded, swapCategory, startOver, ownedWorkItem, openWorkItemId, settle } from './control-steps.js';
import { resolveTeam } from './teams.js';

/** The close reason of a session an agent completed; the only kind a customer message reopens. */
const AGENT_CLOSED = 'closed';

/** The customer's messages and the answers to them (control.ts holds the whole table). */
export const messageHandlers: PartialTable<'customer_message' | 'reply'> = {
  customer_message(conv, cmd, env, out) {
    // A chat nobody would answer is refused before it opens; one waiting for, or talking with, the humans goes on.
    if (env.nobodyAnswers && !(conv.status === 'open' && isAgentSessionOpen(conv.agentSession))) throw new BatonError('chat_unavailable', 'Nobody is available to chat right now; please come back later.');
    const start = { controller: controllerOf(conv, env.account), version: conv.controlVersion };
    const newThread = resume(conv, env, out);
    // The first customer message of a thread (Engage first_in_thread): of the conversation, or since it started over.
    const first = newThread || conv.lastCustomerMessageAt === null;
    if (newThread && cmd.title !== undefined) conv.title = cmd.title;
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
    settle(conv, env, out, { type: 'message.received', data: { messageId: cmd.messageId, controller: controllerOf(conv, env.account), controlVersion: conv.controlVersion, botSessionId: conv.botSession?.id ?? null, agentSessionId: isAgentSessionOpen(conv.agentSession) ? conv.agentSession.id : null, categories: [...conv.categories], ...(first ? { first: true } : {}), ...threadOf(conv), ...(workItemId ? { workItemId } : {}) } }, start);
  },

  reply(conv, cmd, env, out) {
    requireBotSession(conv, cmd.botSessionId);
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

