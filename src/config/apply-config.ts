import { randomBytes } from 'node:crypto';
import { auditEntry } from '../core/audit.js';
import { BatonError } from '../core/errors.js';
import type { PasswordSource, Store } from '../core/ports.js';
import { channelApiTokens, channelDialectOf, componentApiTokens, componentVerifiedEndpoint } from '../dialects/index.js';
import { hashApiKey } from '../edge-kit/api-keys.js';
import { hashPassword, needsRehash, verifyPassword } from '../inbox/passwords.js';
import { DEMO_ACCOUNT_ID } from './demo-config.js';
import { InboundAddresses, clearValue, storedChannel, storedComponent } from './inbound-secrets.js';
import type { AccountSetup, NormalizedConfig } from './load-config.js';

export interface ApplyOptions {
  /** Applying the built-in demo: refused on a store that holds a configuration's accounts. */
  demo?: boolean;
}

/** What applying leaves for the delivery side to do. */
export interface AppliedConfig {
  /**
   * Components that must pass verification before use (IMI generic bots) whose endpoint this
   * configuration set or changed, new ones included: Baton verifies them now and holds what is
   * sent to them until they pass.
   */
  toVerify: { accountId: string; id: string }[];
  /** Where components and channels are reached, printed with the tokens this configuration knows. */
  addresses: InboundAddresses;
  /** Agents added on the inbox's admin page that the file now names: the file's from now on. */
  takenOver: { accountId: string; agentIds: string[] }[];
}

/**
 * Makes the store match the configuration. Idempotent: applying the same file twice changes
 * nothing; run-time state (presence, component health, the emergency switch) is left alone.
 * Services are replaced whole so a rule removed from the file stops routing. Accounts, channels,
 * components and agents the file no longer names are kept for the record but removed: they are
 * not listed and nothing of theirs authenticates any more. Logins of removed agents and of agents
 * whose password changed end. A new component that must be verified before use starts `unverified`.
 * Agents added on the inbox's admin page are the inbox's: neither changed nor removed here, unless
 * the file names one, which takes it over. A file agent without a password keeps the one the
 * admin page set for it.
 */
export async function applyConfig(store: Store, cfg: NormalizedConfig, opts: ApplyOptions = {}): Promise<AppliedConfig> {
  if (opts.demo) {
    const others = (await store.listAccounts()).filter((a) => a.id !== DEMO_ACCOUNT_ID);
    if (others.length > 0) {
      throw new BatonError('demo_refused', `This store holds the configured account${others.length > 1 ? 's' : ''} ${others.map((a) => `"${a.id}"`).join(', ')}; demo mode would expose it with published credentials. Start with --config baton.yaml, or use another --data-dir for the demo.`);
    }
  }
  const prepared: Prepared[] = [];
  const addresses = new InboundAddresses();
  for (const setup of cfg.accounts) prepared.push(await prepare(store, setup, addresses));
  const at = new Date().toISOString();
  await store.transaction(async (tx) => {
    for (const gone of await tx.retireAccountsExcept(cfg.accounts.map((a) => a.account.id), at)) {
      await tx.appendAudit({ ...auditEntry(gone, at, 'config.account_removed', gone, {}), actor: 'config' });
    }
    for (const { setup, components, channels, tokens, passwords, passwordChanged, takenOver } of prepared) {
      await tx.upsertAccount(setup.account, setup.apiKeys.map(hashApiKey));
      await tx.appendAudit({ ...auditEntry(setup.account.id, at, 'config.applied', setup.account.id, { channels: setup.channels.length, components: setup.components.length, services: setup.services.length, agents: setup.agents.length }), actor: 'config' });
      for (const c of channels) await tx.upsertChannel(storedChannel(c));
      for (const c of components) await tx.upsertComponent(storedComponent(c));
      await tx.replaceInboundTokens(setup.account.id, tokens);
      await tx.replaceServices(setup.account.id, setup.services);
      if (takenOver.length > 0) await tx.appendAudit({ ...auditEntry(setup.account.id, at, 'config.agents_taken_over', setup.account.id, { agents: takenOver }), actor: 'config' });
      for (const { agent } of setup.agents) {
        const p = passwords.get(agent.id);
        await tx.upsertAgent(agent, p?.hash ?? null, p?.from ?? null);
      }
      const retired = await tx.retireUnlisted(setup.account.id, { channels: channels.map((c) => c.id), components: components.map((c) => c.id), agents: setup.agents.map((a) => a.agent.id) }, at);
      if (retired.channels.length + retired.components.length + retired.agents.length > 0) {
        await tx.appendAudit({ ...auditEntry(setup.account.id, at, 'config.removed', setup.account.id, { ...retired }), actor: 'config' });
      }
      await tx.endLogins(setup.account.id, passwordChanged);
    }
  });
  return { toVerify: prepared.flatMap((p) => p.toVerify), addresses, takenOver: prepared.filter((p) => p.takenOver.length > 0).map((p) => ({ accountId: p.setup.account.id, agentIds: p.takenOver })) };
}

type Prepared = Awaited<ReturnType<typeof prepare>>;

/** Everything that takes time (password hashing) or reads the store, done before the one transaction. */
async function prepare(store: Store, setup: AccountSetup, addresses: InboundAddresses) {
  const passwords = new Map<string, { hash: string | null; from: PasswordSource }>();
  const passwordChanged: string[] = [];
  const owners = new Map((await store.agentOwnership(setup.account.id)).map((o) => [o.id, o]));
  const takenOver = setup.agents.filter(({ agent }) => owners.get(agent.id)?.managedBy === 'inbox').map(({ agent }) => agent.id);
  for (const { agent, password } of setup.agents) {
    const stored = await store.agentPasswordHash(agent.accountId, agent.id);
    // The file gives no password: the one set on the admin page stays, and so do the agent's logins.
    if (password === null && stored !== null && owners.get(agent.id)?.passwordFrom === 'inbox') {
      passwords.set(agent.id, { hash: stored, from: 'inbox' });
      continue;
    }
    const same = stored !== null && password !== null && (await verifyPassword(password, stored));
    if (stored !== null && !same) passwordChanged.push(agent.id);
    passwords.set(agent.id, password === null ? { hash: null, from: null } : { hash: same && !needsRehash(stored) ? stored : await hashPassword(password), from: 'config' });
  }
  // Every component gets a webhook token of its own (its generated inbound URL), kept across
  // restarts unless the file names one: the store knows a generated one by its digest only (an
  // older store kept it in clear, and it is taken from there once). One that is verified before use (IMI "Click Verify and
  // then Save") starts unverified, and is verified again when the file changes what a verification
  // vouches for; otherwise health is run-time state that upserts keep.
  const toVerify: AppliedConfig['toVerify'] = [];
  const kept = await store.listInboundTokens(setup.account.id);
  const keptDigest = (ownerKind: 'component' | 'channel', id: string, kind: string) => kept.find((t) => t.ownerKind === ownerKind && t.ownerId === id && t.kind === kind)?.tokenHash;
  const addressTokens: { ownerKind: 'component' | 'channel'; ownerId: string; tokenHash: string }[] = [];
  const components = await Promise.all(setup.components.map(async (c) => {
    const existing = await store.getComponent(c.accountId, c.id);
    const known = c.secrets.inboundToken ?? clearValue(existing?.secrets.inboundToken);
    const digest = known === undefined ? keptDigest('component', c.id, 'webhook_token') : undefined;
    const inboundToken = known ?? (digest ? undefined : randomBytes(24).toString('base64url'));
    if (inboundToken) addresses.remember('component', c.accountId, c.id, inboundToken, known === undefined);
    addressTokens.push({ ownerKind: 'component', ownerId: c.id, tokenHash: digest ?? hashApiKey(inboundToken!) });
    const endpoint = componentVerifiedEndpoint(c);
    if (endpoint !== null && (!existing || componentVerifiedEndpoint(existing) !== endpoint)) toVerify.push({ accountId: c.accountId, id: c.id });
    return { ...c, secrets: { ...c.secrets, inboundToken: inboundToken ?? '' }, ...(endpoint !== null && !existing ? { health: 'unverified' as const } : {}) };
  }));
  // So do channels whose address carries their token (the Omnichannel webhook URL).
  const channels = await Promise.all(setup.channels.map(async (c) => {
    if (!TOKEN_IN_ADDRESS.has(c.kind)) return c;
    const existing = await store.getChannel(c.accountId, c.id);
    const known = c.credentials.inboundToken ?? clearValue(existing?.credentials.inboundToken);
    const digest = known === undefined ? keptDigest('channel', c.id, 'channel_token') : undefined;
    const inboundToken = known ?? (digest ? undefined : randomBytes(24).toString('base64url'));
    if (inboundToken) addresses.remember('channel', c.accountId, c.id, inboundToken, known === undefined);
    addressTokens.push({ ownerKind: 'channel', ownerId: c.id, tokenHash: digest ?? hashApiKey(inboundToken!) });
    return { ...c, credentials: { ...c.credentials, inboundToken: inboundToken ?? '' } };
  }));
  // Every credential a caller presents is kept as a digest with its kind, and only so: the webhook
  // tokens, the channel tokens in addresses, and the tokens components and channels call a
  // dialect's API with (Engage API_ACCESS_TOKEN, CM product tokens, a cm channel's MO token). The
  // stored settings say only that they are set (storedComponent, storedChannel).
  const tokens = [
    ...addressTokens.map((t) => ({ ...t, kind: t.ownerKind === 'component' ? 'webhook_token' : 'channel_token' })),
    ...components.flatMap((c) => componentApiTokens(c).map((t) => ({ tokenHash: hashApiKey(t.token), ownerKind: 'component' as const, ownerId: c.id, kind: t.kind }))),
    ...channels.flatMap((c) => channelApiTokens(c).map((t) => ({ tokenHash: hashApiKey(t.token), ownerKind: 'channel' as const, ownerId: c.id, kind: t.kind }))),
  ];
  return { setup, components, channels, tokens, passwords, passwordChanged, takenOver, toVerify };
}

/** Channel kinds whose inbound address is `.../{token}/...`: the token names the channel. */
const TOKEN_IN_ADDRESS = { has: (kind: string) => channelDialectOf(kind)?.credentials.tokenInChannelAddress === true };
