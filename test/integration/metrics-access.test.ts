import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const CONFIG = { accounts: [{ id: 'acme', channels: [{ id: 'web', kind: 'native' }], components: [{ id: 'secret-project-bot', kind: 'bot' }] }] };

/** /metrics names accounts and components: it answers this host, or a scraper with the token. */
describe('who may read /metrics (SQLite is enough: this is HTTP)', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  const scrape = (headers: Record<string, string> = {}) => fetch(`${s!.url}/metrics`, { headers });

  it('answers clients on this host by default, and no one else', async () => {
    s = await startServer('sqlite', CONFIG, { trustProxy: '127.0.0.1' });
    expect((await scrape()).status).toBe(200);
    const remote = await scrape({ 'x-forwarded-for': '203.0.113.5' });
    expect(remote.status).toBe(403);
    expect(await remote.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('asks everyone for the token once one is set', async () => {
    s = await startServer('sqlite', CONFIG, { metricsToken: 'scrape-token-123' });
    expect((await scrape()).status).toBe(401);
    expect((await scrape({ authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await scrape({ authorization: 'Bearer scrape-token-123' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('baton_sql_statements_total');
  });
});
