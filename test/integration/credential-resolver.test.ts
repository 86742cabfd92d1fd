import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { allDialectsAccount, credentialsOf } from '../helpers/all-dialects.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * Every inbound credential is found by its digest and its kind (edge-kit/credential-resolver.ts):
 * a token opens only what its kind opens, in its own account.
 */
describe('one inbound credential resolver', () => {
  let s: TestServer;
  const a = credentialsOf('cra');
  const b = credentialsOf('crb');
  const mo = { from: { number: '+31611111111', name: null }, to: { number: '+3197010203041', name: null }, message: { text: 'hi', media: null, custom: {} }, reference: 'r-1', channel: 'WhatsApp' };

  beforeAll(async () => {
    const acme = allDialectsAccount('acme', 'cra');
    // Its webhook token is named so the test can present it: the store keeps only its digest.
    const engagebot = acme.components.find((c) => c.id === 'engagebot')!;
    Object.assign(engagebot.secrets as object, { inboundToken: 'cra-engagebot-webhook-token' });
    s = await startServer('sqlite', { accounts: [acme, allDialectsAccount('other', 'crb')] });
  });
  afterAll(async () => s?.close());

  it('opens the Engage API with an access token only, not with the same component\'s webhook token', async () => {
    expect((await s.call('GET', `/1.0/users/me?access_token=${a.engageToken}`)).status).toBe(200);
    const webhookToken = 'cra-engagebot-webhook-token';
    for (const token of [webhookToken, a.imiToken, a.omniToken, a.cmBotToken]) {
      const res = await s.call('GET', `/1.0/users/me?access_token=${token}`);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('unauthorized');
    }
  });

  it('takes a CM product token in its own account only, and no other kind of token as one', async () => {
    const asBot = (token: string, account = 'acme') => s.call('POST', `/conversational/control/v1/accounts/${account}/sessions/mutations`, { ChatId: 'none', Mutations: [] }, { 'x-cm-producttoken': token });
    expect((await asBot(a.cmBotToken)).status).not.toBe(401);
    expect((await asBot(b.cmBotToken)).status).toBe(401);
    expect((await asBot(a.cmBotToken, 'other')).status).toBe(401);
    expect((await asBot(a.engageToken)).status).toBe(401);
  });

  it('takes a cm channel\'s MO only with that channel\'s token', async () => {
    const post = (token: string) => s.call('POST', `/conversational/channels/acme/guarded/mo?token=${encodeURIComponent(token)}`, mo);
    expect((await post(b.moToken)).status).toBe(401);
    expect((await post(a.omniToken)).status).toBe(401);
    expect((await post(a.moToken)).status).toBe(200);
  });

  it('takes an IMI webhook token in the IMI path only', async () => {
    const res = await s.call('POST', `/imi/webhook/${a.engageToken}`, { Conversationid: 'x', Message: 'hi', MessageType: 'TEXT' });
    expect(res.status).toBe(404);
  });

  it('refuses a configuration where two components would present the same product token', () => {
    const cm = (id: string) => ({ id, kind: 'bot', dialect: 'cm', secrets: { productToken: 'one-product-token-for-two' } });
    expect(() => validateConfig({ accounts: [{ id: 'x', components: [cm('a'), cm('b')] }] })).toThrow(/secrets\.productToken: this token is already/);
  });
});
