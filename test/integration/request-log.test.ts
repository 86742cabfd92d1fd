import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Baton, createBaton, DEFAULT_DELIVERY } from '../../src/app.js';
import { validateConfig } from '../../src/config/load-config.js';
import { batonLogger } from '../../src/http/baton-logger.js';

const CONFIG = { accounts: [{ id: 'acme', apiKeys: ['log-key-000000000000000000001'], channels: [{ id: 'web', kind: 'native' }] }] };

describe('request log lines', () => {
  const lines: string[] = [];
  let baton: Baton;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-log-'));
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    baton = await createBaton({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      databaseUrl: null,
      config: validateConfig(CONFIG),
      logLevel: 'info',
      bodyLimit: 1024 * 1024,
      addresses: { allowPrivate: false, allowLoopback: true },
      limits: { rateLimit: { perSecond: 0, burst: 0 }, headersTimeoutMs: 10_000 },
      timerIntervalMs: 0,
      version: 'test',
      dispatch: false,
      delivery: DEFAULT_DELIVERY,
    }, { logger: batonLogger('info', sink) });
    url = await baton.listen();
  });

  afterAll(async () => {
    await baton.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never carry the token of a webhook path or an access_token query', async () => {
    await fetch(`${url}/imi/webhook/imi-path-secret-0001`);
    await fetch(`${url}/v1-typo/conversations?access_token=query-secret-0002&x=1`);
    const logged = lines.filter((l) => JSON.parse(l).msg === 'incoming request').map((l) => JSON.parse(l).req.url);
    expect(logged).toEqual(['/imi/webhook/[redacted]', '/v1-typo/conversations?access_token=[redacted]&x=1']);
    expect(lines.join('\n')).not.toMatch(/secret-000[12]/);
  });

  it.each([
    ['/imi/webhook/imi-secret-0003', '/imi/webhook/[redacted]'],
    ['/connector/omnichannel/omnichannel_message/omni-secret-0004/bot_api_webhook', '/connector/omnichannel/omnichannel_message/[redacted]/bot_api_webhook'],
    ['/conversational/channels/acme/sms/mo?token=cm-secret-0005', '/conversational/channels/acme/sms/mo?token=[redacted]'],
    ['/1.0/interventions?limit=5&access%5Ftoken=engage-secret-0006', '/1.0/interventions?limit=5&access%5Ftoken=[redacted]'],
  ])('write %s as %s wherever a request is logged', (path, shown) => {
    const before = lines.length;
    baton.logger.warn({ req: { method: 'POST', url: path, headers: {}, host: 'baton', ip: '127.0.0.1' } }, 'a request');
    const line = lines.slice(before).join('\n');
    expect(JSON.parse(line).req.url).toBe(shown);
    expect(line).not.toMatch(/secret-000/);
  });
});
