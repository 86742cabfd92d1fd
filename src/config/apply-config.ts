import { randomBytes } from 'node:crypto';
import { auditEntry } from '../core/audit.js';
import type { Store } from '../core/ports.js';
import { componentApiTokens } from '../dialects/registry.js';
import { hashApiKey } from '../http/api-keys.js';
import { hashPassword, verifyPassword } from '../inbox/passwords.js';
import type { NormalizedConfig } from './load-config.js';

/**
 * Writes the configuration into the store. Idempotent: applying the same file twice changes
 * nothing; run-time state (presence, component health, the emergency switch) is left alone.
 * Services are replaced whole so a rule removed from the file stops routing.
 */
export async function applyConfig(store: Store, cfg: NormalizedConfig): Promise<void> {
  for (const setup of cfg.accounts) {
    const passwords = new Map<string, string | null>();
    for (const { agent, password } of setup.agents) {
      const existing = password ? await existingHash(store, agent.accountId, agent.id, password) : null;
      passwords.set(agent.id, password ? existing ?? (await hashPassword(password)) : null);
    }
    // Every component gets a webhook token of its own (its generated inbound URL), kept across
    // restarts unless the file names one.
    const components = await Promise.all(setup.components.map(async (c) => {
      const existing = await store.getComponent(c.accountId, c.id);
      const inboundToken = c.secrets.inboundToken ?? existing?.secrets.inboundToken ?? randomBytes(24).toString('base64url');
      return { ...c, secrets: { ...c.secrets, inboundToken } };
    }));
    // So do channels whose address carries their token (the Omnichannel webhook URL).
    const channels = await Promise.all(setup.channels.map(async (c) => {
      if (!TOKEN_IN_ADDRESS.has(c.kind)) return c;
      const existing = await store.getChannel(c.accountId, c.id);
      const inboundToken = c.credentials.inboundToken ?? existing?.credentials.inboundToken ?? randomBytes(24).toString('base64url');
      return { ...c, credentials: { ...c.credentials, inboundToken } };
    }));
    // Components that call a dialect's API with a token of their own (Engage API_ACCESS_TOKEN) are found by it too.
    const apiTokens = components.flatMap((c) => componentApiTokens(c).map((t) => ({ tokenHash: hashApiKey(t), ownerKind: 'component' as const, ownerId: c.id })));
    const channelTokens = channels.filter((c) => TOKEN_IN_ADDRESS.has(c.kind)).map((c) => ({ tokenHash: hashApiKey(c.credentials.inboundToken!), ownerKind: 'channel' as const, ownerId: c.id }));
    await store.transaction(async (tx) => {
      await tx.upsertAccount(setup.account, setup.apiKeys.map(hashApiKey));
      await tx.appendAudit({ ...auditEntry(setup.account.id, new Date().toISOString(), 'config.applied', setup.account.id, { channels: setup.channels.length, components: setup.components.length, services: setup.services.length, agents: setup.agents.length }), actor: 'config' });
      for (const c of channels) await tx.upsertChannel(c);
      for (const c of components) await tx.upsertComponent(c);
      await tx.replaceInboundTokens(setup.account.id, [...components.map((c) => ({ tokenHash: hashApiKey(c.secrets.inboundToken!), ownerKind: 'component' as const, ownerId: c.id })), ...channelTokens, ...apiTokens]);
      await tx.replaceServices(setup.account.id, setup.services);
      for (const { agent } of setup.agents) await tx.upsertAgent(agent, passwords.get(agent.id) ?? null);
    });
  }
}

/** Channel kinds whose inbound address is `.../{token}/...`: the token names the channel. */
const TOKEN_IN_ADDRESS = new Set<string>(['omnichannel']);

/** Keeps the stored hash when the password did not change, so re-applying writes the same row. */
async function existingHash(store: Store, accountId: string, agentId: string, password: string): Promise<string | null> {
  const stored = await store.agentPasswordHash(accountId, agentId);
  return stored && (await verifyPassword(password, stored)) ? stored : null;
}
