import { BatonError } from './errors.js';
import type { Account, Agent } from './model.js';

/**
 * What an agent may be given (Engage's skills and source permissions). An agent that lists
 * categories holds only those, one that lists none holds them all; one that lists sources reads
 * and replies on those channels only, one that lists none on every channel. Handed-over tasks
 * are offered to the agents who hold the account's agent category (Engage's AGENT skill).
 */
export function holdsAgentCategory(agent: Agent, account: Account): boolean {
  return agent.categories.length === 0 || agent.categories.includes(account.categories.agent);
}

export function readsChannel(agent: Agent, channelId: string): boolean {
  return agent.sources === undefined || agent.sources.includes(channelId);
}

/** Whether the agent may be offered, given and answer a conversation of this channel. */
export function mayHandle(agent: Agent, account: Account, channelId: string): boolean {
  return holdsAgentCategory(agent, account) && readsChannel(agent, channelId);
}

/** Refuses giving a conversation of this channel to an agent who may not handle it. */
export function requireMayHandle(agent: Agent, account: Account, channelId: string): void {
  if (!holdsAgentCategory(agent, account)) {
    throw new BatonError('agent_lacks_category', `Agent ${agent.id} does not hold the category ${account.categories.agent} that handed-over conversations are offered with.`, { agentId: agent.id, category: account.categories.agent });
  }
  if (!readsChannel(agent, channelId)) {
    throw new BatonError('source_not_permitted', `Agent ${agent.id} may not read or reply on channel ${channelId}.`, { agentId: agent.id, channelId });
  }
}
