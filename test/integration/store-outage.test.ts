import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDialectsAccount, credentialsOf } from '../helpers/all-dialects.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * A store that cannot answer is an outage, never an absence: the dialects' reads that may find
 * nothing (`find*`) let the failure through, so callers get a 503 (or their document's answer for
 * a fault) instead of being told that their integration, channel or user does not exist.
 */
describe('a store outage is not a "not found"', () => {
  let s: TestServer;
  const c = credentialsOf('out');

  beforeAll(async () => {
    s = await startServer('sqlite', { accounts: [allDialectsAccount('acme', 'out')] });
    // Every credential below was found once, so the outage meets the read that follows it too.
    expect((await s.call('GET', `/1.0/users/me?access_token=${c.engageToken}`)).status).toBe(200);
    expect((await s.call('POST', `/imi/webhook/${c.imiToken}`, { Conversationid: 'none', Message: 'hi', MessageType: 'TEXT' })).status).toBe(404);
    await s.baton.store.close();
  });
  afterAll(async () => s?.close().catch(() => {}));

  it('Engage: 503 store_unavailable in its own shape', async () => {
    const res = await s.call('GET', `/1.0/users/engagebot?access_token=${c.engageToken}`);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'store_unavailable', status: 503 });
  });

  it('IMI: 503 store_unavailable, not "no IMI integration has this webhook URL"', async () => {
    const res = await s.call('POST', `/imi/webhook/${c.imiToken}`, { Conversationid: 'none', Message: 'hi', MessageType: 'TEXT' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('store_unavailable');
  });

  it('Omnichannel: seed 004\'s 500, not "There is no active channel"', async () => {
    const res = await s.call('POST', `/connector/omnichannel/omnichannel_message/${c.omniToken}/bot_api_webhook`, { event: 'new_message', chat_id: 'c1', visitor: { id: 'v' }, message: { id: 'm1', kind: 'visitor', text: 'hi' } });
    expect(res.status).toBe(500);
    expect(res.body.error).toBe('Internal server error.');
  });

  it('the web chat page: 503, not a missing channel', async () => {
    const res = await s.call('GET', '/chat/acme/web');
    expect(res.status).toBe(503);
  });
});
