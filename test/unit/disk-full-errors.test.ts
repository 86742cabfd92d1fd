import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installErrorHandler } from '../../src/http/error-handler.js';
import { isDiskFull } from '../../src/core/disk-full.js';

/** What the engines throw when their disk is full, as their drivers shape it. */
const sqliteFull = Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' });
const pgFull = Object.assign(new Error('could not extend file "base/16384/16385": No space left on device'), { severity: 'ERROR', code: '53100' });

describe('a full disk, as each engine reports it', () => {
  it('is recognised from SQLITE_FULL and SQLSTATE 53100, also when wrapped, and nothing else', () => {
    expect(isDiskFull(sqliteFull)).toBe(true);
    expect(isDiskFull(pgFull)).toBe(true);
    expect(isDiskFull(new Error('commit failed', { cause: pgFull }))).toBe(true);
    // 53200 is out of memory, 53300 too many connections: the same class, not a full disk.
    expect(isDiskFull(Object.assign(new Error('out of memory'), { code: '53200' }))).toBe(false);
    expect(isDiskFull(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).toBe(false);
    expect(isDiskFull(null)).toBe(false);
  });

  it.each([['SQLite', sqliteFull], ['PostgreSQL', pgFull]])('%s: answered 503 store_full with Retry-After, in the one error shape', async (_engine, err) => {
    const app = Fastify();
    installErrorHandler(app);
    app.post('/write', async () => {
      throw err;
    });
    const res = await app.inject({ method: 'POST', url: '/write' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('10');
    expect(res.json()).toEqual({ error: { code: 'store_full', message: expect.stringContaining('out of disk space'), details: { retryAfterSeconds: 10 } } });
    await app.close();
  });
});
