import { validateConfig, type NormalizedConfig } from './load-config.js';

/** The demo account exists only in demo mode (`baton start` without a configuration). */
export const DEMO_ACCOUNT_ID = 'demo';
export const DEMO_API_KEY = 'demo-api-key-0123456789';
export const DEMO_AGENT = { id: 'agent', password: 'demo-agent-password' };
/**
 * The demo bot's component id and webhook signing secret. Fixed, like the demo API key: the demo
 * account is for trying Baton on one's own machine, never for production.
 */
export const DEMO_BOT = { id: 'demo-bot', secret: `whsec_${Buffer.from('baton-demo-bot-signing-key-0001').toString('base64')}` };

/**
 * What `baton start` runs with when no configuration file is given. The demo bot is served by
 * Baton itself, so its URL is known only once Baton listens: `botUrl` is set then.
 */
export function demoConfig(opts: { botUrl?: string } = {}): NormalizedConfig {
  return validateConfig({
    accounts: [
      {
        id: DEMO_ACCOUNT_ID,
        name: 'Demo',
        apiKeys: [DEMO_API_KEY],
        reopenPolicy: 'agent-first',
        threadInclusionDelay: '10m',
        availability: { policy: 'queue' },
        defaultDesk: 'inbox',
        teams: [{ id: 'support', values: ['support', 'help'] }, { id: 'sales', values: ['sales', 'pricing'] }],
        channels: [
          { id: 'web', kind: 'webchat', address: 'demo' },
          { id: 'api', kind: 'native', address: 'demo' },
        ],
        components: [
          {
            id: DEMO_BOT.id,
            kind: 'bot',
            dialect: 'native',
            ...(opts.botUrl ? { url: opts.botUrl } : {}),
            secrets: { webhookSecret: DEMO_BOT.secret },
            retry: { schedule: ['1s', '5s', '30s', '2m'], timeout: '10s' },
            flows: [
              { id: 'welcome', steps: ['start', 'menu'] },
              { id: 'pricing', steps: ['plans', 'quote'] },
              { id: 'survey', steps: ['rating'] },
            ],
          },
          { id: 'inbox', kind: 'desk', dialect: 'inbox' },
        ],
        services: [
          {
            id: 'main',
            channels: ['web', 'api'],
            rules: [{ id: 'bot-first', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: DEMO_BOT.id, desk: 'inbox' } }],
          },
        ],
        agents: [{ id: DEMO_AGENT.id, name: 'Demo Agent', password: DEMO_AGENT.password, teams: ['support', 'sales'], admin: true }],
      },
    ],
  });
}
