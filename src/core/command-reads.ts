import type { ControlCommand } from './control-types.js';
import type { Conversation } from './conversation.js';
import { BatonError } from './errors.js';
import type { Account, Channel } from './model.js';
import type { StoreTx } from './ports.js';

// What commands read, under the conversation's lock, before the state machine runs.

/** The conversation under its lock, with its account and channel, in one read. */
export async function load(tx: StoreTx, accountId: string, conversationId: string): Promise<{ account: Account; conv: Conversation; channel: Channel }> {
  const scope = await tx.lockScope(accountId, conversationId);
  if (!scope) {
    await requireAccount(tx, accountId);
    throw new BatonError('conversation_not_found', `No conversation ${conversationId} in account ${accountId}.`);
  }
  const { account, conversation: conv, channel } = scope;
  if (!channel) throw new BatonError('channel_not_found', `The channel ${conv.channelId} of conversation ${conversationId} no longer exists.`);
  return { account, conv, channel };
}

/**
 * A command that names a desk, a component to switch or an agent to assign must name one that
 * exists in the account; otherwise it would route the conversation to nobody.
 */
export async function requireReferences(tx: StoreTx, accountId: string, cmd: ControlCommand): Promise<void> {
  const components = new Set<string>();
  if (cmd.type === 'handover' && cmd.desk) components.add(cmd.desk);
  if (cmd.type === 'takeover' && cmd.by) components.add(cmd.by);
  if (cmd.type === 'mutate') for (const m of cmd.mutations) components.add(m.componentId);
  for (const id of components) {
    if (!(await tx.getComponent(accountId, id))) throw new BatonError('component_not_found', `No component ${id} in this account.`);
  }
  if (cmd.type === 'assign') await requireAgent(tx, accountId, cmd.agentId, true);
  const named = cmd.type === 'takeover' || cmd.type === 'close_agent_session' || cmd.type === 'defer' ? cmd.agentId : undefined;
  if (named !== undefined) await requireAgent(tx, accountId, named, false);
}

/**
 * An agent a call names must be one of the account's. An account that declares no agents has its
 * desk's own (an external desk's agent ids are recorded as it sends them), except for `assign`,
 * which gives the conversation to one of the account's agents.
 */
export async function requireAgent(tx: StoreTx, accountId: string, agentId: string, always: boolean): Promise<void> {
  if (await tx.getAgent(accountId, agentId)) return;
  if (!always && (await tx.listAgents(accountId)).length === 0) return;
  throw new BatonError('agent_not_found', `No agent ${agentId} in this account; name one of the account's agents.`, { agentId });
}

/** The account and channel a chat is on; a channel switched off takes no new messages. */
export async function activeChannel(tx: StoreTx, accountId: string, channelId: string): Promise<{ account: Account; channel: Channel }> {
  const found = await tx.getAccountChannel(accountId, channelId);
  if (!found) {
    await requireAccount(tx, accountId);
    throw new BatonError('channel_not_found', `No channel ${channelId} in account ${accountId}.`);
  }
  if (!found.channel.active) throw new BatonError('channel_inactive', `Channel ${found.channel.id} is switched off; switch it on to accept messages.`);
  return found;
}

export async function requireAccount(tx: StoreTx, accountId: string): Promise<Account> {
  const account = await tx.getAccount(accountId);
  if (!account) throw new BatonError('account_not_found', `No account ${accountId}.`);
  return account;
}
