import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'guard-key-0000000000000001';

function config(url: string) {
  return {
    accounts: [{
      id: 'acme',
      apiKeys: [KEY],
      channels: [{ id: 'web', kind: 'native' }],
      components: [{ id: 'bot', kind: 'bot', url, retry: { schedule: [], timeout: '1s' } }],
      services: [{ id: 's', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }],
    }],
  };
}

describe('webhook addresses Baton refuses to call', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  // A literal address no webhook may ever call is refused with the configuration itself.
  it.each([
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', /link-local or cloud metadata/],
    ['a metadata host name', 'http://metadata.google.internal/computeMetadata/v1/', /metadata host/],
    ['the unspecified IPv6 address, which reaches this host even with loopback allowed', 'http://[::]:9/bot', /unspecified address/],
    ['the metadata address through NAT64', 'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/', /link-local or cloud metadata/],
  ])('%s, already in the configuration', async (_name, url, reason) => {
    await expect(startServer('sqlite', config(url), { apiKey: KEY })).rejects.toThrow(/accounts\[0\]\.components\[0\]\.url: /);
    await expect(startServer('sqlite', config(url), { apiKey: KEY })).rejects.toThrow(reason);
  });

  // What depends on the run-time policy is refused when the call is made.
  it.each([
    ['a private range, unless the operator allows it', 'http://10.20.30.40:8080/bot', /private range/],
  ])('%s', async (_name, url, reason) => {
    s = await startServer('sqlite', config(url), { apiKey: KEY });
    await s.call('POST', '/v1/channels/web/messages', { customer: 'c', text: 'hi' });
    await s.baton.dispatcher.drain();
    const failed = (await s.call('GET', '/v1/deliveries?targetId=bot')).body.items[0];
    const attempt = (await s.call('GET', `/v1/deliveries/${failed.id}`)).body.delivery.attemptLog[0];
    expect(attempt.error).toMatch(reason);
    expect(attempt.error).toMatch(/^refused: /);
  });
});
