import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const CONFIG = {
  accounts: [{ id: 'acme', channels: [{ id: 'site', kind: 'webchat' }], components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }], defaultDesk: 'inbox', agents: [{ id: 'amy', password: 'correct-horse-battery' }] }],
};

async function login(s: TestServer, headers: Record<string, string>): Promise<string> {
  const res = await fetch(`${s.url}/inbox/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ account: 'acme', agent: 'amy', password: 'correct-horse-battery' }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie') ?? '';
}

/** Behind a TLS proxy the inbox cookie must be Secure, but only a trusted proxy's word counts. */
describe('a trusted proxy in front of Baton (SQLite is enough: this is HTTP)', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('marks the session cookie Secure when a trusted proxy says the browser came over https', async () => {
    s = await startServer('sqlite', CONFIG, { trustProxy: '127.0.0.1' });
    expect(await login(s, { 'x-forwarded-proto': 'https' })).toMatch(/;\s*Secure/);
    expect(await login(s, {})).not.toMatch(/Secure/);
  });

  it('ignores the header when no proxy is trusted (the default)', async () => {
    s = await startServer('sqlite', CONFIG);
    expect(await login(s, { 'x-forwarded-proto': 'https' })).not.toMatch(/Secure/);
  });
});
