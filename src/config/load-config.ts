import { readFileSync } from 'node:fs';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { BatonError } from '../core/errors.js';
import { EVENT_TYPES } from '../core/events.js';
import { matchesEventPattern } from '../core/fanout.js';
import { colorProblem, configuredWidgetLook } from '../core/widget-look.js';
import type { Account, Agent, Channel, Component, Service } from '../core/model.js';
import { urlRefusal } from '../delivery/address-policy.js';
import { BOT_FAILOVER_AFTER_MS, CHANNEL_RETRY_POLICY, defaultRetryPolicy } from '../delivery/retry-policies.js';
import { channelDialectOf, componentDialectOf, DIALECTS } from '../dialects/index.js';
import { type AccountConfig, type BatonConfig, BatonConfigSchema } from './config-schema.js';
import { parseDuration } from './duration.js';
import { retentionPolicy, retentionProblems } from './retention-config.js';
import { filesProblems, filesSetting } from './files-config.js';
import { channelRetryProblems, retryPolicy } from './retry-config.js';

export { parseDuration } from './duration.js';

export interface AccountSetup {
  account: Account;
  apiKeys: string[];
  channels: Channel[];
  components: Component[];
  services: Service[];
  agents: { agent: Agent; password: string | null }[];
}

/** A validated configuration, turned into model objects ready to apply. Frozen: read once. */
export interface NormalizedConfig {
  accounts: AccountSetup[];
}

/** JSON-pointer path to the dotted form people read in YAML: /accounts/0/channels/1 -> accounts[0].channels[1]. */
function keyPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1);
  if (extra) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(top level)';
}

function schemaProblems(raw: unknown): string[] {
  const problems = new Map<string, string>();
  for (const e of Value.Errors(BatonConfigSchema, raw)) {
    const params = e.params as { requiredProperties?: string[]; additionalProperties?: string[]; allowedValue?: unknown };
    if (e.keyword === 'required') for (const k of params.requiredProperties ?? []) problems.set(keyPath(e.instancePath, k), 'is required');
    else if (e.keyword === 'additionalProperties') for (const k of params.additionalProperties ?? []) problems.set(keyPath(e.instancePath, k), 'is not a known key');
    else if (e.keyword === 'boolean') continue;
    else if (e.keyword === 'const') {
      const path = keyPath(e.instancePath);
      const prev = problems.get(path);
      const allowed = JSON.stringify(params.allowedValue);
      problems.set(path, prev?.startsWith('must be one of') ? `${prev}, ${allowed}` : `must be one of ${allowed}`);
    } else if (e.keyword === 'anyOf') {
      if (!problems.has(keyPath(e.instancePath))) problems.set(keyPath(e.instancePath), e.message);
    } else if (!problems.has(keyPath(e.instancePath))) problems.set(keyPath(e.instancePath), e.message);
  }
  return [...problems].map(([path, msg]) => `${path}: ${msg}`);
}

/**
 * Every key path a dialect's settings schema refuses, relative to the component or channel. The
 * schemas are closed: a key they do not name (a typo, a key of another dialect) is refused with
 * the keys they do. `common` keys are every component's (its webhook token), whatever the dialect.
 */
function settingsProblems(schema: TSchema | undefined, value: unknown, key: string, common: readonly string[] = []): string[] {
  if (!schema || value === undefined) return [];
  const own = typeof value === 'object' && value !== null && common.length > 0 ? Object.fromEntries(Object.entries(value).filter(([k]) => !common.includes(k))) : value;
  return [...Value.Errors(schema, own)].flatMap((e) => {
    const at = `${key}${e.instancePath.replace(/\//g, '.')}`;
    // `additionalProperties: false` says it twice: once per key (below), once as `schema is false`.
    if (e.keyword === 'boolean') return [];
    if (e.keyword !== 'additionalProperties') return [`${at}: ${e.message}`];
    const known = [...new Set([...knownKeys(schema, e.instancePath), ...(e.instancePath === '' ? common : [])])];
    const names = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
    return names.map((k) => `${at}.${k}: is not a known key; ${known.length ? `the known keys here are ${known.join(', ')}` : 'nothing is taken here'}`);
  });
}

/** The keys the object schema at `pointer` names. */
function knownKeys(schema: TSchema, pointer: string): string[] {
  let at: unknown = schema;
  for (const part of pointer.split('/').slice(1)) at = (at as { properties?: Record<string, unknown> } | undefined)?.properties?.[part];
  return Object.keys((at as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
}

// The webhook token every component has, and the tokens dialects take from their callers.
const TOKEN_SECRETS = [...new Set(['inboundToken', ...DIALECTS.flatMap((d) => Object.keys(d.credentials.componentSecrets ?? {}))])];

/** Inbound tokens name one component or channel across every account: a shared one could not be told apart. */
function tokenProblems(cfg: BatonConfig): string[] {
  const out: string[] = [];
  const seen = new Map<string, string>();
  const claim = (token: string | undefined, path: string) => {
    if (!token) return;
    const first = seen.get(token);
    if (first) out.push(`${path}: this token is already ${first}'s; every inbound token belongs to one component or channel`);
    else seen.set(token, path);
  };
  cfg.accounts.forEach((a, ai) => {
    (a.components ?? []).forEach((c, ci) => {
      for (const k of TOKEN_SECRETS) claim(c.secrets?.[k], `accounts[${ai}].components[${ci}].secrets.${k}`);
    });
    (a.channels ?? []).forEach((c, ci) => claim(c.credentials?.inboundToken, `accounts[${ai}].channels[${ci}].credentials.inboundToken`));
  });
  return out;
}

/** Addresses no webhook may ever call (link-local, cloud metadata), whatever the run-time policy allows. */
const ANY_PRIVATE = { allowPrivate: true, allowLoopback: true };

function referenceProblems(cfg: BatonConfig): string[] {
  const out: string[] = [...tokenProblems(cfg), ...filesProblems(cfg.files, 'files')];
  const seenAccounts = new Set<string>();
  const seenKeys = new Map<string, string>();
  cfg.accounts.forEach((a, ai) => {
    (a.apiKeys ?? []).forEach((k, ki) => {
      const owner = seenKeys.get(k);
      if (owner !== undefined) out.push(`accounts[${ai}].apiKeys[${ki}]: this key is already used by account "${owner}"; every key belongs to one account`);
      seenKeys.set(k, a.id);
    });
    const at = `accounts[${ai}]`;
    if (seenAccounts.has(a.id)) out.push(`${at}.id: account "${a.id}" is declared twice`);
    seenAccounts.add(a.id);
    const channels = new Set((a.channels ?? []).map((c) => c.id));
    const components = new Map((a.components ?? []).map((c) => [c.id, c.kind]));
    for (const [list, name] of [[a.channels ?? [], 'channels'], [a.components ?? [], 'components'], [a.services ?? [], 'services'], [a.agents ?? [], 'agents']] as const) {
      const ids = new Set<string>();
      list.forEach((item, i) => {
        if (ids.has(item.id)) out.push(`${at}.${name}[${i}].id: "${item.id}" is declared twice`);
        ids.add(item.id);
      });
    }
    (a.components ?? []).forEach((c, ci) => {
      const refused = c.url ? urlRefusal(c.url, ANY_PRIVATE) : null;
      if (refused) out.push(`${at}.components[${ci}].url: ${refused}`);
      const dialect = componentDialectOf(c.dialect ?? 'native');
      const settings = dialect?.settings;
      for (const p of [...settingsProblems(settings?.secrets, c.secrets, 'secrets', ['inboundToken']), ...settingsProblems(settings?.options, c.options, 'options'), ...(settings?.componentProblems?.(c) ?? [])]) out.push(`${at}.components[${ci}].${p}`);
      (c.events ?? []).forEach((pattern, pi) => {
        if (!EVENT_TYPES.some((t) => matchesEventPattern(pattern, t))) out.push(`${at}.components[${ci}].events[${pi}]: "${pattern}" names no event type (see the event list in the README)`);
      });
    });
    out.push(...retentionProblems(a.retention, `${at}.retention`));
    out.push(...filesProblems(a.files, `${at}.files`));
    if (a.defaultDesk && components.get(a.defaultDesk) !== 'desk') out.push(`${at}.defaultDesk: "${a.defaultDesk}" is not a desk component of this account`);
    (a.channels ?? []).forEach((c, ci) => {
      const refused = c.outboundUrl ? urlRefusal(c.outboundUrl, ANY_PRIVATE) : null;
      if (refused) out.push(`${at}.channels[${ci}].outboundUrl: ${refused}`);
      const settings = channelDialectOf(c.kind)?.settings;
      for (const p of [...settingsProblems(settings?.credentials, c.credentials, 'credentials'), ...(settings?.channelProblems?.(c) ?? []), ...channelRetryProblems(c.retry)]) out.push(`${at}.channels[${ci}].${p}`);
      if (c.widget && c.kind !== 'webchat') out.push(`${at}.channels[${ci}].widget: only a webchat channel has a widget`);
      const colour = c.widget?.color !== undefined ? colorProblem(c.widget.color) : null;
      if (colour) out.push(`${at}.channels[${ci}].widget.color: ${colour}`);
    });
    (a.agents ?? []).forEach((g, gi) => {
      (g.sources ?? []).forEach((c, ci) => {
        if (!channels.has(c)) out.push(`${at}.agents[${gi}].sources[${ci}]: no channel "${c}" in this account`);
      });
    });
    (a.services ?? []).forEach((s, si) => {
      s.channels.forEach((c, ci) => {
        if (!channels.has(c)) out.push(`${at}.services[${si}].channels[${ci}]: no channel "${c}" in this account`);
      });
      s.rules.forEach((r, ri) => {
        const rat = `${at}.services[${si}].rules[${ri}]`;
        (r.trigger.channels ?? []).forEach((c, ci) => {
          if (!s.channels.includes(c)) out.push(`${rat}.trigger.channels[${ci}]: channel "${c}" is not mapped to service "${s.id}"`);
        });
        const needsBot = r.action.type !== 'desk';
        if (needsBot && !r.action.bot && r.trigger.event === 'message') out.push(`${rat}.action.bot: a "${r.action.type}" rule must name its bot`);
        if (r.action.bot && components.get(r.action.bot) !== 'bot') out.push(`${rat}.action.bot: "${r.action.bot}" is not a bot component of this account`);
        if (r.action.desk && components.get(r.action.desk) !== 'desk') out.push(`${rat}.action.desk: "${r.action.desk}" is not a desk component of this account`);
        if (r.trigger.conditions?.textPattern !== undefined) {
          try {
            new RegExp(r.trigger.conditions.textPattern);
          } catch {
            out.push(`${rat}.trigger.conditions.textPattern: not a valid regular expression`);
          }
        }
      });
    });
  });
  return out;
}

function normalizeAccount(a: AccountConfig, global: BatonConfig['files']): AccountSetup {
  const categories = a.categories ?? { bot: 'BOT', agent: 'AGENT' };
  const desks = (a.components ?? []).filter((c) => c.kind === 'desk');
  const account: Account = {
    id: a.id,
    name: a.name ?? a.id,
    reopenPolicy: a.reopenPolicy ?? 'agent-first',
    threadInclusionDelayMs: parseDuration(a.threadInclusionDelay, 30 * 60_000),
    availability: { policy: a.availability?.policy ?? 'queue', waitMs: parseDuration(a.availability?.wait, 0) },
    defaultDesk: a.defaultDesk ?? (desks.length === 1 ? desks[0]!.id : null),
    teams: (a.teams ?? []).map((t) => ({ id: t.id, values: t.values ?? [t.id] })),
    categories,
    emergency: false,
  };
  if (a.botFailover) account.botFailover = { ...(a.botFailover.policy ? { policy: a.botFailover.policy } : {}), afterMs: parseDuration(a.botFailover.after, BOT_FAILOVER_AFTER_MS) };
  if (a.retention) account.retention = retentionPolicy(a.retention);
  const files = filesSetting(a.files, global);
  if (files) account.files = files;
  // A component that names no `events:` gets its dialect's default, when the dialect has one.
  const eventsOf = (c: NonNullable<AccountConfig['components']>[number]) => c.events ?? componentDialectOf(c.dialect ?? 'native')?.defaultEvents;
  const subscriptions = Object.fromEntries((a.components ?? []).flatMap((c) => {
    const events = eventsOf(c);
    return events === undefined ? [] : [[c.id, [...events]]];
  }));
  if (Object.keys(subscriptions).length > 0) account.subscriptions = subscriptions;
  const channels: Channel[] = (a.channels ?? []).map((c) => ({
    accountId: a.id,
    id: c.id,
    kind: c.kind,
    address: c.address ?? a.id,
    outboundUrl: c.outboundUrl ?? null,
    credentials: c.credentials ?? {},
    realtime: c.realtime ?? channelDialectOf(c.kind)?.realtimeChannels === true,
    defaultCategories: c.defaultCategories ?? [categories.bot],
    active: c.active ?? true,
    retry: retryPolicy(c.retry, CHANNEL_RETRY_POLICY),
    ...(c.widget ? { widget: configuredWidgetLook(c.widget) } : {}),
  }));
  const components: Component[] = (a.components ?? []).map((c) => {
    const dialect = c.dialect ?? 'native';
    const module = componentDialectOf(dialect);
    return {
      accountId: a.id,
      id: c.id,
      kind: c.kind,
      dialect,
      url: c.url ?? null,
      secrets: c.secrets ?? {},
      retry: retryPolicy(c.retry, defaultRetryPolicy(module?.retry, c.kind)),
      health: 'active',
      flows: c.flows ?? [],
      options: module?.settings?.componentOptions?.(c.options ?? {}, a.channels ?? []) ?? c.options ?? {},
    };
  });
  const services: Service[] = (a.services ?? []).map((s) => ({ accountId: a.id, id: s.id, channels: s.channels, rules: s.rules }));
  const agents = (a.agents ?? []).map((g) => ({
    agent: { accountId: a.id, id: g.id, name: g.name ?? g.id, teams: g.teams ?? [], categories: g.categories ?? [], ...(g.sources ? { sources: g.sources } : {}), presence: 'offline' as const, ...(g.admin ? { admin: true } : {}) },
    password: g.password ?? null,
  }));
  return { account, apiKeys: a.apiKeys ?? [], channels, components, services, agents };
}

/** Validates a parsed configuration; throws `config_invalid` listing every bad key by its path. */
/**
 * What is allowed but probably not meant (a native component with a URL and no webhook secret
 * receives unsigned webhooks it cannot tell from forgeries), as each dialect sees it. `config check` and `start` say so.
 */
export function configWarnings(cfg: NormalizedConfig): string[] {
  return cfg.accounts.flatMap((a) => a.components.flatMap((c) => {
    const warning = componentDialectOf(c.dialect)?.settings?.componentWarning?.(c);
    return warning ? [`account ${a.account.id}, component ${c.id}: ${warning}`] : [];
  }));
}

export function validateConfig(raw: unknown): NormalizedConfig {
  const problems = schemaProblems(raw);
  if (problems.length === 0) problems.push(...referenceProblems(raw as BatonConfig));
  if (problems.length > 0) {
    throw new BatonError('config_invalid', `The configuration has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n  ${problems.join('\n  ')}`, { problems });
  }
  const cfg = raw as BatonConfig;
  return Object.freeze({ accounts: cfg.accounts.map((a) => normalizeAccount(a, cfg.files)) });
}

export function loadConfigFile(path: string): NormalizedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BatonError('config_invalid', `Cannot read the configuration file ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new BatonError('config_invalid', `${path} is not valid YAML: ${(err as Error).message}`);
  }
  return validateConfig(raw);
}
