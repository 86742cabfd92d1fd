import { BatonError } from './errors.js';
import { controllerOf, type Conversation, isAgentSessionOpen, isBotEnabled, modeIncludesBot } from './conversation.js';
import type { PartialTable, TransitionEnv } from './control-types.js';
import { checkVersion, requireEnabled, requireBotSession, closeAgentSession, swapCategory, requireDesk, doHandover, doHandback, moved, settle } from './control-steps.js';
import { resolveTeam } from './teams.js';

/** Who holds the conversation: handovers, takeovers, handbacks and the switches that move them. */
export const handoverHandlers: PartialTable<'handover' | 'takeover' | 'handback' | 'reset' | 'mutate' | 'set_categories' | 'emergency_on' | 'emergency_off' | 'bot_failover' | 'handover_wait_expired'> = {
  handover(conv, cmd, env, out) {
    requireBotSession(conv, cmd.botSessionId);
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
    moved(conv, env, out, { type: 'reset', data: { by: cmd.by ?? null, reason: 'reset', controller: controllerOf(conv, env.account), ...(cmd.metadata ? { metadata: cmd.metadata } : {}) } });
  },

  mutate(conv, cmd, env, out) {
    checkVersion(conv, cmd.expectedVersion);
    if (cmd.context) {
      conv.context = { ...conv.context, ...cmd.context };
      out.push({ type: 'context.updated', data: { context: cmd.context } });
    }
    const start = { controller: controllerOf(conv, env.account), version: conv.controlVersion };
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
    settle(conv, env, out, { type: 'control.mutated', data: { by: cmd.by ?? null, mutations: cmd.mutations, context: cmd.context ?? null, controller: controllerOf(conv, env.account) } }, start);
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

  emergency_on(conv, _cmd, env, out) {
    // The account flag already disables the bot for reads; this records it per conversation,
    // queues the humans and moves the version so every party is told.
    if (conv.emergency || !conv.bot || !(conv.mutations[conv.bot] ?? modeIncludesBot(conv.mode))) return;
    if (conv.status === 'closed') return;
    conv.emergency = true;
    doHandover(conv, env, out, { reason: 'emergency', eventType: 'handover' });
    conv.mutations = Object.fromEntries(Object.entries(conv.mutations).filter(([id]) => id !== conv.bot));
  },

  emergency_off(conv, cmd, env, out) {
    if (!conv.emergency || env.account.emergency || !conv.bot) return;
    const choice = cmd.handBack ?? 'tell_bots';
    conv.emergency = false;
    const s = conv.agentSession;
    const taken = isAgentSessionOpen(s) && s.agentId !== null;
    if (choice === 'keep_with_agents' || (choice === 'quietly' && taken)) {
      // The switch's hold on the bot becomes an ordinary one, as after any handover: an agent
      // hands the conversation back, or closes it, when they are done with it.
      conv.mutations[conv.bot] = false;
      out.push({ type: 'control.mutated', data: { by: null, reason: 'emergency_ended', mutations: [{ componentId: conv.bot, enabled: false }], context: null, controller: controllerOf(conv, env.account), quiet: true } });
      return;
    }
    if (!isBotEnabled(conv, env.account)) return;
    const from = out.length;
    closeAgentSession(conv, env, out, 'emergency_ended');
    swapCategory(conv, env.account.categories.agent, env.account.categories.bot);
    moved(conv, env, out, { type: 'handback', data: { by: null, reason: 'emergency_ended', bot: conv.bot, position: null } });
    // Recorded like any handback, for the desk and the audit; fanout keeps them from the bot.
    if (choice === 'quietly') for (const d of out.slice(from)) d.data.quiet = true;
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

/** The account's policy, or the default: to the humans when the rule gave the conversation a desk. */
function botFailoverPolicy(conv: Conversation, env: TransitionEnv): 'handover' | 'notify' | 'wait' {
  return env.account.botFailover?.policy ?? (conv.mode === 'bot+desk' ? 'handover' : 'notify');
}


/** The refusal of a take (or an answer) in a conversation another agent holds, naming that agent. */
export function taken(conv: Conversation, agentId: string): BatonError {
  return new BatonError('conversation_taken', `Conversation ${conv.id} is already taken by agent ${agentId}; ask them, or reassign it.`, { agentId });
}


function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}