import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDialectsAccount, credentialsOf } from '../helpers/all-dialects.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Over the 1 MiB limit the test server has. */
const OVERSIZE = JSON.stringify({ body: 'x'.repeat(1_100_000) });

/**
 * Every dialect's refusals come from the one translation to Baton's codes, written by the error
 * renderer its module declares (docs/errors.md, "Error shapes"): the same failure keeps its status
 * in every shape unless the dialect's document says otherwise.
 */
describe('one error path, one shape per dialect', () => {
  let s: TestServer;
  const c = credentialsOf('errs');

  beforeAll(async () => {
    s = await startServer('sqlite', { accounts: [allDialectsAccount('acme', 'errs')] });
  });
  afterAll(async () => s?.close());

  it('Engage answers an oversize body 413, in its shape', async () => {
    const res = await s.call('POST', `/1.0/contents?access_token=${c.engageToken}`, OVERSIZE);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'payload_too_large', message: expect.stringContaining('larger than the limit'), status: 413 });
  });

  it('Engage answers an unknown route and an unreadable path in its shape', async () => {
    const missing = await s.call('GET', `/1.0/nothing?access_token=${c.engageToken}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'not_found', message: 'No Engage API route GET /1.0/nothing.', status: 404 });
    const bad = await s.call('GET', `/1.0/users/%ff?access_token=${c.engageToken}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'bad_request', status: 400 });
  });

  it('Omnichannel answers an oversize body as seed 004 answers every unreadable one', async () => {
    const res = await s.call('POST', `/connector/omnichannel/omnichannel_message/${c.omniToken}/bot_api_webhook`, OVERSIZE);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'Incorrect JSON of the request body.', detail: 'the body is larger than the limit (1 MiB unless the operator set another)' });
  });

  it('the BMProxy answers an oversize body as CM refuses a request whole', async () => {
    const res = await s.call('POST', '/conversational/bmproxy/v1/accounts/acme', OVERSIZE);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ details: expect.stringMatching(/^The request is malformed: /), errorCode: 202, messages: [] });
  });

  it('IMI and the CM control API answer in Baton\'s shape, 413 included', async () => {
    for (const [path, headers] of [[`/imi/webhook/${c.imiToken}`, {}], ['/conversational/control/v1/accounts/acme/sessions/mutations', { 'x-cm-producttoken': c.cmBotToken }]] as const) {
      const res = await s.call('POST', path, OVERSIZE, headers);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('payload_too_large');
    }
  });
});
