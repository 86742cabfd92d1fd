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
