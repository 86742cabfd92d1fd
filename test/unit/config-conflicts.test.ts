import { describe, expect, it } from 'vitest';
import { configWarnings, validateConfig } from '../../src/config/load-config.js';

const problems = (raw: unknown): string[] => {
  try {
    validateConfig(raw);
    return [];
  } catch (err) {
    return ((err as { details?: { problems?: string[] } }).details?.problems ?? []) as string[];
  }
};

describe('config check finds what would break at start or leak', () => {
  it('refuses an inbound token two accounts share, naming both places', () => {
    const got = problems({
      accounts: [
        { id: 'a', channels: [{ id: 'o', kind: 'omnichannel', outboundUrl: 'https://client.example.com', credentials: { inboundToken: 'same-token-123456' } }] },
        { id: 'b', components: [{ id: 'imi', kind: 'bot', dialect: 'imi', url: 'https://bot.example.com', secrets: { inboundToken: 'same-token-123456', verificationToken: 'v' } }] },
      ],
    });
    expect(got).toEqual([expect.stringMatching(/^accounts\[1\]\.components\[0\]\.secrets\.inboundToken: this token is already accounts\[0\]\.channels\[0\]\.credentials\.inboundToken's/)]);
  });

  it('refuses a settings key no dialect reads, with its path and the keys that are known there', () => {
    const got = problems({
      accounts: [{
        id: 'a',
        channels: [{ id: 'o', kind: 'omnichannel', outboundUrl: 'https://client.example.com', credentials: { webhookTokn: 'typo' } }],
        components: [
          { id: 'eng', kind: 'bot', dialect: 'engage', url: 'https://bot.example.com', secrets: { accesToken: 't' }, options: { admin: true, sourcess: ['x'] } },
          { id: 'cm', kind: 'bot', dialect: 'cm', url: 'https://cm.example.com', secrets: { productToken: 'p', inboundToken: 'every-component-may-name-its-webhook-token' } },
          { id: 'bot', kind: 'bot', url: 'https://bot.example.com', secrets: { webhookSecret: `whsec_${Buffer.from('0123456789abcdef0123').toString('base64')}`, webhook_secret: 'x' } },
        ],
      }],
    });
    expect(got).toEqual([
      'accounts[0].components[0].secrets.accesToken: is not a known key; the known keys here are accessToken, webhookSecret, verifyToken, inboundToken',
      'accounts[0].components[0].options.sourcess: is not a known key; the known keys here are admin, sources, resourceType',
      'accounts[0].components[2].secrets.webhook_secret: is not a known key; the known keys here are webhookSecret, webhookSecretPrevious, inboundToken',
      'accounts[0].channels[0].credentials.webhookTokn: is not a known key; the known keys here are inboundToken, webhookToken',
    ]);
  });

  it('refuses a component or channel URL on a metadata or link-local address, whatever the run-time policy', () => {
    const got = problems({
      accounts: [{
        id: 'a',
        channels: [{ id: 'web', kind: 'native', outboundUrl: 'http://169.254.169.254/latest' }],
        components: [{ id: 'bot', kind: 'bot', url: 'http://metadata.google.internal/x' }],
      }],
    });
    expect(got).toEqual([
      expect.stringMatching(/^accounts\[0\]\.components\[0\]\.url: metadata\.google\.internal is a cloud metadata host/),
      expect.stringMatching(/^accounts\[0\]\.channels\[0\]\.outboundUrl: 169\.254\.169\.254 is a link-local or cloud metadata address/),
    ]);
  });

  it('refuses a webhook secret Standard Webhooks cannot use, and warns of a native component that would sign nothing', () => {
    expect(problems({ accounts: [{ id: 'a', components: [{ id: 'bot', kind: 'bot', url: 'https://bot.example.com', secrets: { webhookSecret: 'not base64!' } }] }] }))
      .toEqual([expect.stringMatching(/^accounts\[0\]\.components\[0\]\.secrets\.webhookSecret: not a Standard Webhooks secret/)]);
    const unsigned = validateConfig({ accounts: [{ id: 'a', components: [{ id: 'bot', kind: 'bot', url: 'https://bot.example.com' }, { id: 'signed', kind: 'bot', url: 'https://bot.example.com', secrets: { webhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } }] }] });
    expect(configWarnings(unsigned)).toEqual([expect.stringContaining('component bot: its webhooks go out unsigned')]);
  });
});
