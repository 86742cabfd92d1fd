import type { TransitionEnv } from '../../src/core/control.js';
import { type Conversation, controllerOf } from '../../src/core/conversation.js';
import type { Account, RuleAction } from '../../src/core/model.js';

export const NOW = '2026-01-05T10:00:00.000Z';
export const BOT = 'bot-1';
export const DESK = 'desk-1';
export const DEFAULT_DESK = 'desk-default';

/** An account with a default desk, two teams and a 10-minute thread inclusion delay. */
export function anAccount(overrides: Partial<Account> = {}): Account {
  return {
    id: 'acc-1',
    name: 'Acme',
    reopenPolicy: 'agent-first',
    threadInclusionDelayMs: 10 * 60_000,
    availability: { policy: 'queue', waitMs: 0 },
    defaultDesk: DEFAULT_DESK,
    teams: [
      { id: 'billing', values: ['invoice', 'billing'] },
      { id: 'sales', values: ['buy', '42'] },
    ],
    categories: { bot: 'BOT', agent: 'AGENT' },
    emergency: false,
    ...overrides,
  };
}

/**
 * A conversation as the router opens it for a rule with this action: a `bot` rule names no desk
 * and a `desk` rule no bot. The controller is derived, so pass `account` when it is in emergency.
 */
export function aConversation(overrides: Partial<Conversation> & { mode?: RuleAction } = {}, account: Account = anAccount()): Conversation {
  const mode = overrides.mode ?? 'bot';
  const conv: Conversation = {
    accountId: account.id,
    id: 'conv-1',
    channelId: 'web',
    customer: '+31600000001',
    business: 'acme',
    status: 'open',
    serviceId: 'svc-1',
    ruleId: 'rule-1',
    mode,
    bot: mode === 'desk' ? null : BOT,
    desk: mode === 'bot' ? null : DESK,
    mutations: {},
    emergency: false,
    controlVersion: 1,
    controller: 'none',
    team: null,
    ruleTeam: null,
    categories: ['BOT'],
    context: {},
    visitor: {},
    position: null,
    botSession: null,
    agentSession: null,
    lastSeq: 0,
    createdAt: NOW,
    updatedAt: NOW,
    lastCustomerMessageAt: null,
    ...overrides,
  };
  if (overrides.controller === undefined) conv.controller = controllerOf(conv, account);
  return conv;
}

/**
 * A transition environment with a fixed clock and ids `id-1`, `id-2`, ... Use `at` to move the
 * clock: the copy shares the counter, so ids stay unique across a scenario.
 */
export function anEnv(overrides: Partial<Omit<TransitionEnv, 'newId'>> = {}): TransitionEnv {
  let counter = 0;
  return {
    account: anAccount(),
    now: NOW,
    newId: () => `id-${++counter}`,
    agentsAvailable: true,
    realtime: false,
    ...overrides,
  };
}

export function at(env: TransitionEnv, now: string): TransitionEnv {
  return { ...env, now };
}

export function withAccount(env: TransitionEnv, overrides: Partial<Account>): TransitionEnv {
  return { ...env, account: { ...env.account, ...overrides } };
}

export function after(ms: number, from: string = NOW): string {
  return new Date(Date.parse(from) + ms).toISOString();
}
