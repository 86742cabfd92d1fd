import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'limits-key-000000000000001';
const OTHER = 'limits-key-000000000000002';
const CONFIG = {
  accounts: [
    { id: 'a', apiKeys: [KEY], channels: [{ id: 'web', kind: 'native' }], components: [{ id: 'bot', kind: 'bot' }], services: [{ id: 's', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }] },
    { id: 'b', apiKeys: [OTHER] },
  ],
};

describe('limits and security headers', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('answers 429 with Retry-After once a credential spends its burst, and does nothing for it', async () => {
    s = await startServer('sqlite', CONFIG, { apiKey: KEY, limits: { rateLimit: { perSecond: 1, burst: 5 }, headersTimeoutMs: 10_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await s.call('POST', '/v1/channels/web/messages', { customer: 'c', text: `m${i}` })).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    const limited = await s.call('POST', '/v1/channels/web/messages', { customer: 'c', text: 'again' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const messages = (await s.baton.store.kysely.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
    expect(Number(messages)).toBe(5);
    // another credential has its own budget
    expect((await s.call('GET', '/v1/account', undefined, { authorization: `Bearer ${OTHER}` })).status).toBe(200);
  });

  it('cuts off a client that trickles its headers (slow loris)', async () => {
    s = await startServer('sqlite', CONFIG, { apiKey: KEY, limits: { rateLimit: { perSecond: 0, burst: 0 }, headersTimeoutMs: 1000 } });
    const { port } = new URL(s.url);
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const sock = connect(Number(port), '127.0.0.1', () => sock.write('POST /v1/channels/web/messages HTTP/1.1\r\nHost: x\r\n'));
      const drip = setInterval(() => sock.write('X-Drip: 1\r\n'), 200);
      sock.on('close', () => {
        clearInterval(drip);
        resolve(Date.now() - started);
      });
      sock.on('error', () => {});
      sock.resume();
    });
    expect(closedAfter).toBeLessThan(5000);
    expect(closedAfter).toBeGreaterThanOrEqual(900);
  }, 15_000);

  it('sends security headers on every answer and a policy of nothing on data', async () => {
    s = await startServer('sqlite', CONFIG, { apiKey: KEY });
    for (const path of ['/healthz', '/v1/account', '/openapi.json', '/v1/nowhere']) {
      const res = await fetch(s.url + path, { headers: { authorization: `Bearer ${KEY}` } });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    const docs = await fetch(`${s.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
