import { validateConfig, type NormalizedConfig } from './load-config.js';

export const DEMO_API_KEY = 'demo-api-key-0123456789';
export const DEMO_AGENT = { id: 'agent', password: 'demo-agent-password' };

/** What `baton start` runs with when no configuration file is given. */
export function demoConfig(): NormalizedConfig {
  return validateConfig({
    accounts: [
      {
        id: 'demo',
        name: 'Demo',
        apiKeys: [DEMO_API_KEY],
        reopenPolicy: 'agent-first',
        threadInclusionDelay: '10m',
        availability: { policy: 'queue' },
        defaultDesk: 'inbox',
        teams: [{ id: 'support', values: ['support', 'help'] }],
        channels: [
          { id: 'web', kind: 'webchat', address: 'demo' },
          { id: 'api', kind: 'native', address: 'demo' },
        ],
        components: [
          { id: 'demo-bot', kind: 'bot', dialect: 'native', flows: [{ id: 'welcome', steps: ['start', 'menu'] }] },
          { id: 'inbox', kind: 'desk', dialect: 'inbox' },
        ],
        services: [
          {
            id: 'main',
            channels: ['web', 'api'],
            rules: [{ id: 'bot-first', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'demo-bot', desk: 'inbox' } }],
          },
        ],
        agents: [{ id: DEMO_AGENT.id, name: 'Demo Agent', password: DEMO_AGENT.password, teams: ['support'] }],
      },
    ],
  });
}
