import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { loginAgent, visitor } from '../helpers/inbox-client.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { pdf, png, upload } from '../helpers/sample-files.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/waiting.js';
import { visitorIdOf } from '../../src/dialects/webchat/visitor-identity.js';

const ACME_KEY = 'files-acme-key-00000000000001';
const DAY = 24 * 3_600_000;

function config(receiver: string) {
  const account = (id: string, key: string) => ({
    id,
    apiKeys: [key],
    channels: [{ id: 'site', kind: 'webchat' }, { id: 'help', kind: 'webchat' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }, { id: 'helper', kind: 'bot', url: `${receiver}/${id}/bot` }],
    services: [{ id: 'main', channels: ['site', 'help'], rules: [
      { id: 'desk', trigger: { event: 'message', channels: ['site'] }, action: { type: 'desk', desk: 'inbox' } },
      { id: 'bot', trigger: { event: 'message', channels: ['help'] }, action: { type: 'bot', bot: 'helper' } },
    ] }],
    agents: [{ id: 'sam', name: 'Sam', password: 'sam-password' }],
  });
  return {
    accounts: [
      { ...account('acme', ACME_KEY), files: { maxSize: '64KB' }, retention: { closedConversations: '1d' } },
      account('globex', 'files-globex-key-0000000000001'),
    ],
  };
}

const TOKEN = 'visitor-token-files-000000000000000001';

describe.each(['sqlite', 'postgres'] as const)('files on %s', (engine) => {
  let s: TestServer | undefined;
  let receiver: Receiver;
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver.close());
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  const fileRows = async (accountId: string) => Number((await s!.baton.store.kysely.selectFrom('files').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow()).n);
  const chatFiles = (channel: string) => `${s!.url}/chat/api/acme/${channel}/files`;

  it('takes a visitor\'s PNG as their first message, serves it with safe headers, and gives the bot its URL', async () => {
    s = await startServer(engine, config(receiver.url), { dispatch: true, clock });
    const image = png(8, 8);
    const up = await upload(chatFiles('help'), image, 'image/png', '../holiday\u0000 photo.png', { 'x-visitor-token': TOKEN, 'x-message-id': 'file-msg-0001' });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: 'holiday photo.png', type: 'image/png', size: image.length });
    expect(up.body.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(up.body.url).toBe(`${s.url}/files/acme/${up.body.id}/holiday%20photo.png`);
    expect(up.body.message).toMatchObject({ from: 'visitor', clientId: 'file-msg-0001', content: { type: 'media', media: { url: up.body.url, contentType: 'image/png', name: 'holiday photo.png', size: image.length } } });

    // A retry with the same message id is the same message, and stores no second file.
    const again = await upload(chatFiles('help'), image, 'image/png', 'holiday photo.png', { 'x-visitor-token': TOKEN, 'x-message-id': 'file-msg-0001' });
    expect(again.status).toBe(200);
    expect(again.body.url).toBe(up.body.url);
    expect(await fileRows('acme')).toBe(1);

    const got = await fetch(up.body.url);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(image)).toBe(true);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-disposition')).toBe(`inline; filename="holiday photo.png"; filename*=UTF-8''holiday%20photo.png`);
    expect(got.headers.get('content-security-policy')).toContain('sandbox');
    expect(got.headers.get('cache-control')).toBe('private, max-age=3600');

    // The bot gets the file as any media: Baton's download URL, which it fetches without credentials.
    const seen = await until('the bot is sent the file', () => receiver.received.find((r) => r.path === '/acme/bot' && r.json?.message?.content?.type === 'media'));
    expect(seen.json.message.content.media).toEqual({ url: up.body.url, contentType: 'image/png', name: 'holiday photo.png', size: image.length });
    expect((await fetch(seen.json.message.content.media.url)).status).toBe(200);
  }, 60_000);

  it('refuses by the bytes, not the header: a text body called a PNG is 415; too big is 413; neither leaves anything', async () => {
    s = await startServer(engine, config(receiver.url), { clock });
    const v = visitor(s.url, 'acme', 'site', TOKEN);
    const text = await upload(chatFiles('site'), Buffer.from('not a picture at all'), 'image/png', 'x.png', { 'x-visitor-token': TOKEN });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('file_type_refused');
    const html = await upload(chatFiles('site'), Buffer.from('<html><script>alert(1)</script>'), 'text/html', 'x.html', { 'x-visitor-token': TOKEN });
    expect(html.status).toBe(415);
    // A PNG that says it is a PDF is not taken either: the claim and the bytes must agree.
    const liar = await upload(chatFiles('site'), png(2, 2), 'application/pdf', 'x.pdf', { 'x-visitor-token': TOKEN });
    expect(liar.status).toBe(415);
    const big = Buffer.concat([png(2, 2), Buffer.alloc(65 * 1024)]);
    const tooBig = await upload(chatFiles('site'), big, 'image/png', 'big.png', { 'x-visitor-token': TOKEN });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toMatchObject({ code: 'file_too_large', details: { maxBytes: 64 * 1024 } });
    const noToken = await upload(chatFiles('site'), png(2, 2), 'image/png', 'a.png');
    expect(noToken.status).toBe(401);
    expect(await fileRows('acme')).toBe(0);
    expect((await v.history()).body.messages).toEqual([]);
    // The history tells the page what it may attach.
    expect((await v.history()).body.files).toEqual({ maxBytes: 64 * 1024, types: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'] });
  }, 60_000);

  it('lets an agent send a PDF the visitor sees, served as an attachment; never across accounts', async () => {
    s = await startServer(engine, config(receiver.url), { clock });
    const sam = await loginAgent(s.url, 'acme', 'sam', 'sam-password');
    await sam.call('PUT', '/presence', { presence: 'online' });
    const v = visitor(s.url, 'acme', 'site', TOKEN);
    expect((await v.say('can you send the invoice?')).status).toBe(201);
    const [card] = (await sam.call('GET', '/conversations')).body.items;
    expect((await sam.call('POST', `/conversations/${card.id}/take`, {})).status).toBe(200);
    const doc = pdf();
    const path = `${s.url}/inbox/api/conversations/${card.id}/files`;
    const noCsrf = await upload(path, doc, 'application/pdf', 'invoice.pdf', { cookie: sam.cookie });
    expect(noCsrf.status).toBe(403);
    const sent = await upload(path, doc, 'application/pdf', 'Rechnung März.pdf', { cookie: sam.cookie, 'x-csrf-token': sam.csrf });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ name: 'Rechnung März.pdf', type: 'application/pdf', size: doc.length });
    expect((await sam.call('GET', '/me')).body.files.maxBytes).toBe(64 * 1024);
    const last = (await v.history()).body.messages.at(-1);
    expect(last).toMatchObject({ from: 'agent', name: 'Sam', content: { type: 'media', media: { url: sent.body.url, contentType: 'application/pdf', name: 'Rechnung März.pdf' } } });
    const got = await fetch(sent.body.url);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="Rechnung M_rz.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf`);
    expect(Buffer.from(await got.arrayBuffer()).equals(doc)).toBe(true);

    // Another account's path with this id finds nothing, and its agent cannot upload here.
    const elsewhere = await fetch(sent.body.url.replace('/files/acme/', '/files/globex/'));
    expect(elsewhere.status).toBe(404);
    expect(((await elsewhere.json()) as any).error.code).toBe('file_not_found');
    const globexSam = await loginAgent(s.url, 'globex', 'sam', 'sam-password');
    const across = await upload(`${s.url}/inbox/api/conversations/${card.id}/files`, doc, 'application/pdf', 'x.pdf', { cookie: globexSam.cookie, 'x-csrf-token': globexSam.csrf });
    expect(across.status).toBe(404);
    expect(await fileRows('globex')).toBe(0);
  }, 60_000);

  it('an agent\'s file is refused while the bot answers, and leaves no file', async () => {
    s = await startServer(engine, config(receiver.url), { clock });
    const sam = await loginAgent(s.url, 'acme', 'sam', 'sam-password');
    expect((await upload(chatFiles('help'), png(2, 2), 'image/png', 'a.png', { 'x-visitor-token': TOKEN })).status).toBe(201);
    const conv = (await sam.call('GET', '/conversations')).body.items[0];
    const refused = await upload(`${s.url}/inbox/api/conversations/${conv.id}/files`, pdf(), 'application/pdf', 'x.pdf', { cookie: sam.cookie, 'x-csrf-token': sam.csrf });
    expect(refused.status).toBe(409);
    expect(await fileRows('acme')).toBe(1);
  }, 60_000);

  it('erasure deletes the customer\'s files; exports list them', async () => {
    s = await startServer(engine, config(receiver.url), { clock, apiKey: ACME_KEY });
    const up = await upload(chatFiles('help'), png(4, 4), 'image/png', 'id card.png', { 'x-visitor-token': TOKEN });
    expect(up.status).toBe(201);
    const customer = visitorIdOf(TOKEN);
    const exported = await s.call('GET', `/v1/customers/${encodeURIComponent(customer)}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.conversations[0].files).toEqual([expect.objectContaining({ id: up.body.id, name: 'id card.png', contentType: 'image/png', size: up.body.size, path: `/files/acme/${up.body.id}/id%20card.png` })]);
    expect(exported.body.conversations[0].files[0]).not.toHaveProperty('bytes');
    const erased = await s.call('POST', `/v1/customers/${encodeURIComponent(customer)}/erase`);
    expect(erased.status).toBe(200);
    expect(erased.body.conversations[0].files).toBe(1);
    expect(await fileRows('acme')).toBe(0);
    expect((await fetch(up.body.url)).status).toBe(404);
  }, 60_000);

  it('retention deletes a closed conversation\'s files with it', async () => {
    s = await startServer(engine, config(receiver.url), { clock, dispatch: true });
    const sam = await loginAgent(s.url, 'acme', 'sam', 'sam-password');
    await sam.call('PUT', '/presence', { presence: 'online' });
    const up = await upload(chatFiles('site'), png(4, 4), 'image/png', 'a.png', { 'x-visitor-token': TOKEN });
    expect(up.status).toBe(201);
    const [card] = (await sam.call('GET', '/conversations')).body.items;
    expect((await sam.call('POST', `/conversations/${card.id}/take`, {})).status).toBe(200);
    expect((await sam.call('POST', `/conversations/${card.id}/close`, {})).status).toBe(200);
    clock.advance(2 * DAY);
    // The conversation goes once its deliveries are out; until then a run passes it over.
    const run = await until('retention deletes the conversation', async () => {
      const [acme] = (await s!.baton.retention.run()).filter((r) => r.accountId === 'acme');
      return acme!.deleted.conversations > 0 ? acme : undefined;
    });
    expect(run!.deleted.files).toBe(1);
    expect(await fileRows('acme')).toBe(0);
    expect((await fetch(up.body.url)).status).toBe(404);
  }, 60_000);
});
