import { auditEntry } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import type { Agent } from '../core/model.js';
import type { AgentOwnership, PasswordSource, Store } from '../core/ports.js';
import { hashPassword } from './passwords.js';

/** An agent as the admin page lists it: who owns it, and whether its password can be reset here. */
export interface AdminAgent {
  id: string;
  name: string;
  teams: string[];
  admin: boolean;
  presence: Agent['presence'];
  /** `config`: set in baton.yaml, not removable here; `inbox`: added on the admin page. */
  managedBy: 'config' | 'inbox';
  /** Where its password was set; null: none yet. */
  passwordFrom: PasswordSource;
  /** False when baton.yaml sets the password (the admin page answers password_in_config). */
  passwordResettable: boolean;
}

export interface NewAgent {
  id: string;
  name?: string;
  teams?: string[];
  admin?: boolean;
  password: string;
}

/**
 * Agents managed on the inbox's admin page, beside those of baton.yaml: the file stays the truth
 * for what it names (its agents cannot be removed here, nor their password reset when the file
 * sets one), the inbox owns the rest. Every change is one transaction with its audit line.
 */
export class AgentAdmin {
  constructor(private readonly store: Store, private readonly clock: Clock) {}

  async list(accountId: string): Promise<AdminAgent[]> {
    const [agents, owners] = await Promise.all([this.store.listAgents(accountId), this.store.agentOwnership(accountId)]);
    const byId = new Map(owners.map((o) => [o.id, o]));
    return agents.map((a) => {
      const o = byId.get(a.id);
      const managedBy = o?.managedBy ?? 'config';
      const passwordFrom = o?.passwordFrom ?? null;
      return { id: a.id, name: a.name, teams: a.teams, admin: a.admin === true, presence: a.presence, managedBy, passwordFrom, passwordResettable: passwordFrom !== 'config' };
    });
  }

  async add(accountId: string, input: NewAgent, actor: string): Promise<AdminAgent> {
    const account = await this.store.getAccount(accountId);
    if (!account) throw new BatonError('account_not_found');
    const known = new Set(account.teams.map((t) => t.id));
    const unknown = (input.teams ?? []).filter((t) => !known.has(t));
    if (unknown.length > 0) throw new BatonError('validation_failed', `teams: this account has no team ${unknown.map((t) => `"${t}"`).join(', ')}; its teams are ${[...known].map((t) => `"${t}"`).join(', ') || 'none'}.`);
    const agent: Agent = { accountId, id: input.id, name: input.name?.trim() || input.id, teams: input.teams ?? [], categories: [], presence: 'offline', ...(input.admin ? { admin: true } : {}) };
    const hash = await hashPassword(input.password);
    const at = this.clock.now().toISOString();
    await this.store.transaction(async (tx) => {
      if (!(await tx.insertInboxAgent(agent, hash))) throw new BatonError('agent_exists', `This account already has an agent "${input.id}".`);
      await tx.appendAudit(auditEntry(accountId, at, 'agent.added', input.id, { name: agent.name, teams: agent.teams, admin: agent.admin === true }, actor));
    });
    return { id: agent.id, name: agent.name, teams: agent.teams, admin: agent.admin === true, presence: 'offline', managedBy: 'inbox', passwordFrom: 'inbox', passwordResettable: true };
  }

  /** Sets a new password and ends every login the agent had. */
  async resetPassword(accountId: string, agentId: string, password: string, actor: string): Promise<void> {
    await this.owned(accountId, agentId, (o) => {
      if (o.passwordFrom === 'config') throw new BatonError('password_in_config', `The password of "${agentId}" is set in baton.yaml; change it there.`);
    });
    const hash = await hashPassword(password);
    const at = this.clock.now().toISOString();
    await this.store.transaction(async (tx) => {
      await tx.setInboxPassword(accountId, agentId, hash);
      await tx.appendAudit(auditEntry(accountId, at, 'agent.password_reset', agentId, {}, actor));
    });
  }

  async remove(accountId: string, agentId: string, actor: string, self: string): Promise<void> {
    await this.owned(accountId, agentId, (o) => {
      if (o.managedBy === 'config') throw new BatonError('agent_in_config', `"${agentId}" is set in baton.yaml; remove it from the file.`);
      if (agentId === self) throw new BatonError('forbidden', 'You cannot remove yourself; ask another admin.');
    });
    const at = this.clock.now().toISOString();
    await this.store.transaction(async (tx) => {
      await tx.removeInboxAgent(accountId, agentId, at);
      await tx.appendAudit(auditEntry(accountId, at, 'agent.removed', agentId, {}, actor));
    });
  }

  private async owned(accountId: string, agentId: string, check: (o: AgentOwnership) => void): Promise<void> {
    const o = (await this.store.agentOwnership(accountId)).find((x) => x.id === agentId && !x.removed);
    if (!o) throw new BatonError('agent_not_found', `No agent ${agentId} in this account.`);
    check(o);
  }
}
