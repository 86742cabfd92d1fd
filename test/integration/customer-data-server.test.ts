import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'erase-srv-key-000000000001';
const CONFIG = {
  accounts: [{ id: 'acme', apiKeys: [KEY], channels: [{ id: 'web', kind: 'native' }], components: [{ id: 'desk', kind: 'desk' }], defaultDesk: 'desk' }],
};

/** The erasure and export routes as the running server serves them. */
describe.each(['sqlite', 'postgres'] as const)('customer data on a running Baton on %s', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('exports a customer, erases them, and the export then holds no text', async () => {
    s = await startServer(engine, CONFIG, { apiKey: KEY });
    const conv = (await s.call('POST', '/v1/channels/web/messages', { customer: '+31600000009', text: 'my secret address' })).body.conversation;
    const before = await s.call('GET', '/v1/customers/%2B31600000009/export');
    expect(before.status).toBe(200);
    expect(JSON.stringify(before.body)).toContain('my secret address');
    expect((await s.call('GET', `/v1/conversations/${conv.id}/export`)).status).toBe(200);
    const erased = await s.call('POST', '/v1/customers/%2B31600000009/erase');
    expect(erased.status).toBe(200);
    const after = await s.call('GET', '/v1/customers/%2B31600000009/export');
    expect(JSON.stringify(after.body)).not.toContain('my secret address');
    const audit = (await s.call('GET', '/v1/audit')).body.items.filter((e: { action: string }) => e.action === 'customer.erase');
    expect(audit).toHaveLength(1);
  });
});
