import { readFileSync } from 'node:fs';
import { integrationOf, webhookIdOf } from '../../src/dialects/sunco/sunco-integrations.js';
import type { Receiver } from './receiver.js';

/** The app id of the document's webhook examples, used as the account's id so the fixtures stay the document's. */
export const APP = '5ebee0975ac5304b664a12fa';
export const API_KEY = 'sunco-admin-key-000000000001';
/** The document's switchboard examples name their two integrations `bot` and `human`: so do these components. */
export const KEYS = {
  bot: { id: 'app_5eecde2dcdbffb08f5c3ed37', secret: 'bot-secret-0123456789abcdef01' },
  human: { id: 'app_5eece1cacdbffb08f5c3ed43', secret: 'human-secret-0123456789abcdef' },
  other: { id: 'app_5f11a65ae4e987667c2051d3', secret: 'other-secret-0123456789abcdef' },
};
export const WEBHOOK_SECRETS = { bot: 'bot-webhook-secret-000000001', human: 'human-webhook-secret-0000001' };

/**
 * One app: a native channel whose chats start with the `bot` integration and hand over to the
 * `human` one (both sunco components, webhooks to `receiverUrl`), a third integration that takes
 * part in nothing, and the inbox as a further desk.
 */
export function suncoConfig(receiverUrl: string, opts: { humanStandby?: boolean | string[]; botStandby?: boolean | string[]; humanWebhooks?: boolean; keepBot?: boolean } = {}) {
  return {
    accounts: [{
      id: APP,
      apiKeys: [API_KEY],
      // keepBot: a real-time channel whose handovers need an agent online, and nobody is.
      availability: { policy: opts.keepBot ? 'keep-bot' : 'queue' },
      defaultDesk: 'human',
      channels: [{ id: 'api', kind: 'native', ...(opts.keepBot ? { realtime: true } : {}) }],
      components: [
        { id: 'bot', kind: 'bot', dialect: 'sunco', url: `${receiverUrl}/bot`, secrets: { keyId: KEYS.bot.id, keySecret: KEYS.bot.secret, webhookSecret: WEBHOOK_SECRETS.bot }, options: opts.botStandby !== undefined ? { deliverStandbyEvents: opts.botStandby } : {} },
        { id: 'human', kind: 'desk', dialect: 'sunco', ...(opts.humanWebhooks === false ? {} : { url: `${receiverUrl}/human` }), secrets: { keyId: KEYS.human.id, keySecret: KEYS.human.secret, webhookSecret: WEBHOOK_SECRETS.human }, options: opts.humanStandby !== undefined ? { deliverStandbyEvents: opts.humanStandby } : {} },
        { id: 'other', kind: 'bot', dialect: 'sunco', secrets: { keyId: KEYS.other.id, keySecret: KEYS.other.secret } },
        { id: 'inbox', kind: 'desk', dialect: 'inbox' },
      ],
      services: [{ id: 'care', channels: ['api'], rules: [{ id: 'to-bot', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'human' } }] }],
    }],
  };
}

export function basic(key: { id: string; secret: string }): string {
  return `Basic ${Buffer.from(`${key.id}:${key.secret}`).toString('base64')}`;
}

/** The ids a fixture names, for one conversation: its integrations' and its webhooks'. */
export function suncoIds(): { botId: string; botIntegrationId: string; humanId: string; humanIntegrationId: string; botWebhookId: string; humanWebhookId: string } {
  const bot = integrationOf(APP, 'bot');
  const human = integrationOf(APP, 'human');
  return { botId: bot.id, botIntegrationId: bot.integrationId, humanId: human.id, humanIntegrationId: human.integrationId, botWebhookId: webhookIdOf(APP, 'bot'), humanWebhookId: webhookIdOf(APP, 'human') };
}

/** A fixture as the exact bytes Baton must send: the document's example, its keys in its order. */
export function suncoFixture(name: string, values: Record<string, string>): string {
  const text = readFileSync(new URL(`../fixtures/sunco/${name}.json`, import.meta.url), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    if (!(k in values)) throw new Error(`fixture ${name} needs ${k}`);
    return values[k]!;
  });
  return JSON.stringify(JSON.parse(text));
}

/** The webhooks one integration got (by receiver path), in arrival order, with their single event. */
export function suncoEvents(r: Receiver, path: '/bot' | '/human'): { body: string; headers: Record<string, unknown>; event: any }[] {
  return r.received.filter((x) => x.path === path && x.json?.events).map((x) => ({ body: x.body, headers: x.headers, event: x.json.events[0] }));
}
