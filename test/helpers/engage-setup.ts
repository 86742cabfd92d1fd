import { readFileSync } from 'node:fs';
import type { Receiver } from './receiver.js';

/** The ids of seed 003's samples, used as Baton's own so the fixtures stay the document's. */
export const ACCOUNT = '582af25a799fc247acfcde38';
export const SOURCE = '5b3b6562d6cb00f93fe59c9f';
export const CUSTOMER = '5b8eaf1813047d298f940265';
export const OTHER_CATEGORY = '5bdcb766799fc227748f4453';
export const BOT_CATEGORY = '5be59e0a13047d01f46caa62';
export const AGENT_CATEGORY = '5be59e1f13047d026b6ca8af';
/** The agent an intervention is assigned to, and the one who completes it (seed 003's two user ids). */
export const OWNER_AGENT = '52fcf5157aa58dd7680000006';
export const CLOSING_AGENT = '4f4f3a08a90ffb27ee000583';

export const API_KEY = 'engage-admin-key-000000001';
export const TOKENS = { bot: 'API_ACCESS_TOKEN-engagebot-01', other: 'API_ACCESS_TOKEN-otherapp-02', admin: 'API_ACCESS_TOKEN-adminapp-03', narrow: 'API_ACCESS_TOKEN-narrowapp-04' };

/**
 * One Engage domain: a chat source whose default categories are an other category and BOT, the
 * bot (`engagebot`, the webhook receiver), three more API users (one plain, one allowed to edit
 * permissions, one that cannot read the chat source), the inbox and three agents.
 */
export function engageConfig(botUrl: string, opts: { reopenPolicy?: 'agent-first' | 'bot-first'; availability?: 'keep-bot' | 'queue'; botSecrets?: Record<string, string> } = {}) {
  return {
    accounts: [{
      id: ACCOUNT,
      apiKeys: [API_KEY],
      reopenPolicy: opts.reopenPolicy ?? 'agent-first',
      threadInclusionDelay: '30m',
      availability: { policy: opts.availability ?? 'keep-bot' },
      defaultDesk: 'inbox',
      teams: [{ id: 'chat' }, { id: 'vip' }],
      categories: { bot: BOT_CATEGORY, agent: AGENT_CATEGORY },
      channels: [
        { id: SOURCE, kind: 'webchat', defaultCategories: [OTHER_CATEGORY, BOT_CATEGORY] },
        { id: 'mail', kind: 'native', defaultCategories: [BOT_CATEGORY] },
      ],
      components: [
        { id: 'engagebot', kind: 'bot', dialect: 'engage', url: botUrl, secrets: { accessToken: TOKENS.bot, ...opts.botSecrets } },
        { id: 'otherapp', kind: 'bot', dialect: 'engage', secrets: { accessToken: TOKENS.other } },
        { id: 'adminapp', kind: 'bot', dialect: 'engage', secrets: { accessToken: TOKENS.admin }, options: { admin: true } },
        { id: 'narrowapp', kind: 'bot', dialect: 'engage', secrets: { accessToken: TOKENS.narrow }, options: { admin: true, sources: ['mail'] } },
        { id: 'inbox', kind: 'desk', dialect: 'inbox' },
      ],
      services: [{ id: 'care', channels: [SOURCE, 'mail'], rules: [{ id: 'to-bot', trigger: { event: 'message' }, action: { type: 'bot', bot: 'engagebot' } }] }],
      agents: [
        { id: OWNER_AGENT, name: 'Amelie Martin', categories: [AGENT_CATEGORY], teams: ['chat'] },
        { id: CLOSING_AGENT, name: 'Bruno', categories: [AGENT_CATEGORY], teams: ['chat', 'vip'] },
        { id: 'carla', name: 'Carla', categories: [], teams: ['vip'] },
      ],
    }],
  };
}

/** A seed fixture as the exact bytes Baton must send or answer: the document's keys, in its order. */
export function engageFixture(name: string, values: Record<string, string> = {}): string {
  const text = readFileSync(new URL(`../fixtures/engage/${name}.json`, import.meta.url), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    if (!(k in values)) throw new Error(`fixture ${name} needs ${k}`);
    return values[k]!;
  });
  return JSON.stringify(JSON.parse(text));
}

/** The Engage webhooks a receiver got, parsed, in arrival order. */
export function engageEvents(r: Receiver): { body: string; envelope: any; event: any }[] {
  return r.received.filter((x) => x.json?.events).map((x) => ({ body: x.body, envelope: x.json, event: x.json.events[0] }));
}
