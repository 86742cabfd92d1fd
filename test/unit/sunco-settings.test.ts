import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';

function config(component: Record<string, unknown>) {
  return { accounts: [{ id: 'acme', channels: [{ id: 'api', kind: 'native' }], components: [{ id: 'bot', kind: 'bot', dialect: 'sunco', ...component }], services: [] }] };
}

describe('sunco components in baton.yaml', () => {
  it('takes a key, a webhook secret and the standby events by type', () => {
    expect(() => validateConfig(config({ secrets: { keyId: 'app_1', keySecret: 's', webhookSecret: 'w' }, options: { deliverStandbyEvents: ['conversation:message'], next: 'inbox' } }))).not.toThrow();
    expect(() => validateConfig(config({ options: { deliverStandbyEvents: true } }))).not.toThrow();
  });

  it('refuses a secret without its key id, and standby events no integration is spared', () => {
    expect(() => validateConfig(config({ secrets: { keySecret: 's' } }))).toThrow(/secrets\.keyId: is required/);
    expect(() => validateConfig(config({ options: { deliverStandbyEvents: ['switchboard:passControl'] } }))).toThrow(/switchboard:passControl is not an event a standby integration can be spared/);
    expect(() => validateConfig(config({ options: { deliverStandbyEvents: 'yes' } }))).toThrow(/deliverStandbyEvents/);
  });
});
