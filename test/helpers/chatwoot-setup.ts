import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Received } from './receiver.js';

export const CW = { account: 'acme', channel: 'site', customer: '+15550100', apiKey: 'chatwoot-admin-key-0000001', token: 'chatwoot-bot-access-token-0001', secret: 'chatwoot-bot-secret-0000000001', otherToken: 'chatwoot-other-bot-token-0002' };

/** One account: a native channel whose chats go to a Chatwoot agent bot, the inbox and one agent. */
export function chatwootConfig(botUrl: string, opts: { secret?: string | null; extraChannels?: { id: string; kind: string }[] } = {}) {
  const secret = opts.secret === undefined ? CW.secret : opts.secret;
  const extra = opts.extraChannels ?? [];
  return {
    accounts: [{
      id: CW.account,
      name: 'Acme Inc',
      apiKeys: [CW.apiKey],
      availability: { policy: 'queue' },
      defaultDesk: 'inbox',
      channels: [{ id: CW.channel, kind: 'native' }, ...extra],
      components: [
        { id: 'cwbot', kind: 'bot', dialect: 'chatwoot', url: botUrl, secrets: { accessToken: CW.token, ...(secret ? { webhookSecret: secret } : {}) }, retry: { schedule: ['10s', '10s', '10s'], jitter: 0, timeout: '2s' } },
        { id: 'otherbot', kind: 'bot', dialect: 'chatwoot', secrets: { accessToken: CW.otherToken } },
        { id: 'inbox', kind: 'desk', dialect: 'inbox' },
      ],
      services: [{ id: 'care', channels: [CW.channel, ...extra.map((c) => c.id)], rules: [{ id: 'to-bot', trigger: { event: 'message' }, action: { type: 'bot', bot: 'cwbot' } }] }],
      agents: [{ id: 'john', name: 'John', password: 'john-password-1' }],
    }],
  };
}

/** A documented payload (Chatwoot's "Webhook Events" samples) as the exact bytes Baton must send, its values filled in. */
export function chatwootFixture(name: string, values: Record<string, string | number>): string {
  const text = readFileSync(new URL(`../fixtures/chatwoot/${name}.json`, import.meta.url), 'utf8').replace(/"?\{\{(\w+)\}\}"?/g, (whole, k: string) => {
    if (!(k in values)) throw new Error(`fixture ${name} needs ${k}`);
    const v = values[k]!;
    return typeof v === 'number' ? String(v) : JSON.stringify(v);
  });
  return JSON.stringify(JSON.parse(text));
}

/**
 * What a Chatwoot client does with a webhook: recompute `sha256=` HMAC-SHA256 of
 * "<X-Chatwoot-Timestamp>.<raw body>" under the bot's secret and compare in constant time.
 */
export function verifiesAsChatwoot(r: Received, secret: string): boolean {
  const ts = r.headers['x-chatwoot-timestamp'];
  const sig = r.headers['x-chatwoot-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string') return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`);
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
