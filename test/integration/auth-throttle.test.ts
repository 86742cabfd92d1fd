import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDialectsAccount, credentialsOf } from '../helpers/all-dialects.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'throttle-key-00000000000000001';
const CONFIG = {
  accounts: [{
    id: 'acme',
    apiKeys: [KEY],
    channels: [{ id: 'site', kind: 'webchat' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['site'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: ['alice', 'amos', 'ann'].map((id) => ({ id, name: id, password: `${id}-password` })),
  }],
};

/**
 * A request from one loopback address of 127.0.0.0/8, so each test is a client of its own: the
 * limits are per address.
 */
function from(localAddress: string, base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; retryAfter: string | undefined }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method, localAddress, headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

describe('failed authentications are throttled per address and per login', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer('sqlite', CONFIG, { limits: { rateLimit: { perSecond: 0, burst: 0 }, headersTimeoutMs: 10_000 } });
  });
  afterAll(async () => {
    await s.close();
  });
  const login = (address: string, agent: string, password: string) => from(address, s.url, 'POST', '/inbox/api/login', { account: 'acme', agent, password });

  it('locks an address after 10 wrong logins, and a right password does not open it', async () => {
    for (let i = 0; i < 10; i++) expect((await login('127.0.0.11', `nobody-${i}`, 'guess')).status).toBe(401);
    const refused = await login('127.0.0.11', 'alice', 'alice-password');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('too_many_failures');
    expect(refused.body.error.message).toMatch(/try again in \d+ s \(after \d\d:\d\d:\d\d UTC\)/);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect(refused.body.error.details.retryAfterSeconds).toBe(Number(refused.retryAfter));
    expect((await login('127.0.0.11', 'alice', 'alice-password')).status).toBe(429);
    // another address is not locked
    expect((await login('127.0.0.12', 'alice', 'alice-password')).status).toBe(200);
  });

  it('locks a login name after 5 wrong passwords, from whichever address', async () => {
    for (let i = 0; i < 5; i++) expect((await login(`127.0.1.${i + 1}`, 'amos', `guess-${i}`)).status).toBe(401);
    const refused = await login('127.0.1.99', 'amos', 'amos-password');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('too_many_failures');
    expect(Number(refused.retryAfter)).toBeGreaterThan(60);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(15 * 60);
    // the same address may log in as someone else
    expect((await login('127.0.1.99', 'ann', 'ann-password')).status).toBe(200);
  });

  it('counts guesses sent all at once before their passwords are checked', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => login('127.0.0.21', `someone-${i}`, 'guess')));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 401)).toHaveLength(10);
    expect(statuses.filter((x) => x === 429)).toHaveLength(20);
  });

  it('locks an address after 10 unknown API keys, before even a right key is looked at', async () => {
    for (let i = 0; i < 10; i++) {
      const wrong = await from('127.0.0.31', s.url, 'GET', '/v1/account', undefined, { authorization: `Bearer made-up-key-${i}` });
      expect(wrong.status).toBe(401);
    }
    const refused = await from('127.0.0.31', s.url, 'GET', '/v1/account', undefined, { authorization: `Bearer ${KEY}` });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('too_many_failures');
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    // wrong API keys count against the address's logins too
    expect((await login('127.0.0.31', 'alice', 'alice-password')).status).toBe(429);
    expect((await from('127.0.0.32', s.url, 'GET', '/v1/account', undefined, { authorization: `Bearer ${KEY}` })).status).toBe(200);
  });

  it('does not count a request that presents no credential: no API key, an inbox call without a session', async () => {
    for (let i = 0; i < 6; i++) expect((await from('127.0.0.41', s.url, 'GET', '/v1/account')).status).toBe(401);
    for (let i = 0; i < 6; i++) expect((await from('127.0.0.41', s.url, 'POST', '/inbox/api/logout')).status).toBe(401);
    expect((await login('127.0.0.41', 'alice', 'alice-password')).status).toBe(200);
  });
});

describe('refused component credentials count as well', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer('sqlite', { accounts: [allDialectsAccount('acme', 'a')] }, { limits: { rateLimit: { perSecond: 0, burst: 0 }, headersTimeoutMs: 10_000 } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('locks an address after wrong Engage access tokens and CM product tokens (control API)', async () => {
    for (let i = 0; i < 5; i++) expect((await from('127.0.0.61', s.url, 'GET', `/1.0/users?access_token=wrong-${i}`)).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await from('127.0.0.61', s.url, 'POST', '/conversational/control/v1/accounts/acme/sessions/mutations', {}, { 'x-cm-producttoken': `wrong-${i}` })).status).toBe(401);
    const refused = await from('127.0.0.61', s.url, 'GET', `/1.0/users?access_token=${credentialsOf('a').engageToken}`);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('too_many_failures');
    expect((await from('127.0.0.62', s.url, 'GET', `/1.0/users?access_token=${credentialsOf('a').engageToken}`)).status).toBe(200);
  });

  it('does not count the inbox\'s 401s, even under an Authorization header a proxy in front adds', async () => {
    for (let i = 0; i < 12; i++) expect((await from('127.0.0.63', s.url, 'POST', '/inbox/api/logout', undefined, { authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(401);
    expect((await from('127.0.0.63', s.url, 'POST', '/inbox/api/login', { account: 'acme', agent: 'alice', password: credentialsOf('a').alicePassword })).status).toBe(200);
  });
});

describe('the rate limit', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer('sqlite', CONFIG, { limits: { rateLimit: { perSecond: 1, burst: 5 }, headersTimeoutMs: 10_000 } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('counts made-up credentials against the client address: a new one buys no new budget', async () => {
    const call = (authorization?: string) => from('127.0.0.51', s.url, 'GET', '/v1/account', undefined, authorization ? { authorization } : {});
    expect((await call(`Bearer ${KEY}`)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(`Bearer fresh-made-up-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const limited = await call('Bearer yet-another-made-up-one');
    expect(limited.body.error.code).toBe('rate_limited');
    expect(limited.body.error.message).toMatch(/this address/);
    expect((await call()).status).toBe(429);
    // a key that was accepted has a budget of its own
    expect((await call(`Bearer ${KEY}`)).status).toBe(200);
  });
});
