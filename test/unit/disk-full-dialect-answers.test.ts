import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { bmProxyErrors } from '../../src/dialects/cm/bm-response.js';
import { omnichannelErrors } from '../../src/dialects/omnichannel/omnichannel-errors.js';
import { installErrorRenderer } from '../../src/edge-kit/errors.js';

// What SQLite throws when a commit does not fit (better-sqlite3's code); PostgreSQL's 53100 maps the same way.
const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

describe('a full disk in the vendor dialects that answer faults as 500', () => {
  for (const [name, renderer, check] of [
    ['omnichannel', omnichannelErrors, (b: Record<string, unknown>) => expect(b).toEqual({ error: 'Internal server error.', detail: expect.stringContaining('out of disk space') })],
    ['cm-bmproxy', bmProxyErrors, (b: Record<string, unknown>) => expect(b).toMatchObject({ errorCode: 999, messages: [], details: expect.stringContaining('out of disk space') })],
  ] as const) {
    it(`${name}: 503 with Retry-After in the dialect's own shape, so the sender tries again`, async () => {
      const app = Fastify();
      await app.register(async (scope) => {
        installErrorRenderer(scope, renderer);
        scope.post('/in', async () => {
          throw full();
        });
      });
      const res = await app.inject({ method: 'POST', url: '/in', payload: {} });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('10');
      check(res.json());
      await app.close();
    });
  }
});
