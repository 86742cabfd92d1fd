import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/core/clock.js';
import { bootOn, http, type StorePlace } from '../helpers/boot.js';
import { dropSchema, engines, freshSchemaName } from '../helpers/engines.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Seeds 000/001, generic ("Others") bot: "Verification Token: The webhook will return this
// verification token as part of the response to every POST request" ... "Click Verify and then Save".

const KEY = 'telco-key-0000000000001';
const VT = 'vt-5e1f0c2a';
const AT = '2026-05-04T10:20:30.456Z';
const auth = { authorization: `Bearer ${KEY}` };

function fixture(name: string, values: Record<string, string>): string {
  const text = readFileSync(new URL(`../fixtures/imi/${name}.json`, import.meta.url), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, k: string) => values[k]!);
  return JSON.stringify(JSON.parse(text));
}

function config(bot: Receiver, channel: Receiver, over: { url?: string; verificationToken?: string } = {}) {
  return {
    accounts: [{
      id: 'telco',
      apiKeys: [KEY],
      channels: [{ id: 'fb', kind: 'native', outboundUrl: `${channel.url}/out`, imiChannel: 'FB' }],
      components: [
        { id: 'imibot', kind: 'bot', dialect: 'imi', url: over.url ?? `${bot.url}/hook`, secrets: { verificationToken: over.verificationToken ?? VT }, options: { kind: 'generic' } },
        { id: 'ccsp', kind: 'desk', url: `${channel.url}/ccsp` },
      ],
      defaultDesk: 'ccsp',
      services: [{ id: 'care', channels: ['fb'], rules: [{ id: 'to-bot', trigger: { event: 'message', channels: ['fb'] }, action: { type: 'bot', bot: 'imibot' } }] }],
    }],
  };
}

const withToken = (token: string) => () => ({ status: 200, body: JSON.stringify({ verificationToken: token }) });
const events = (bot: Receiver) => bot.received.map((r) => r.json.Event as string);

describe.each(engines)('IMI generic bots: "Click Verify and then Save" on $name', (engine) => {
  const receivers: Receiver[] = [];
  const running: { close(): Promise<void> }[] = [];
  let place: StorePlace | null = null;
  afterEach(async () => {
    while (running.length) await running.pop()!.close();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    if (place) {
      rmSync(place.dataDir, { recursive: true, force: true });
      if (place.schema) await dropSchema(place.schema);
      place = null;
    }
  });

  async function endpoints(botAnswer: Parameters<typeof startReceiver>[0]) {
    const bot = await startReceiver(botAnswer);
    const channel = await startReceiver();
    receivers.push(bot, channel);
    return { bot, channel };
  }

  it('starts unverified when the verification at start fails, holds every event in order, and sends them once POST verify passes', async () => {
    const { bot, channel } = await endpoints(() => ({ status: 200, body: '{"ok":true}' }));
    const s: TestServer = await startServer(engine.name, config(bot, channel), { clock: new ManualClock(AT), apiKey: KEY });
    running.push(s);
    expect(events(bot)).toEqual(['Verification']);
    expect(bot.received[0]!.body).toBe('{"Event":"Verification","Timestamp":"2026-05-04 10:20:30.45"}');
    expect((await s.call('GET', '/v1/components/imibot/health')).body.health).toMatchObject({ state: 'unverified' });

    const customer = (payload: Record<string, unknown>) => s.call('POST', '/v1/channels/fb/messages', { customer: '+919800000001', ...payload });
    const first = await customer({ text: 'I want to change my plan' });
    await customer({ content: { type: 'postback', postback: { payload: 'PAYLOAD VALUE', title: 'Change plan' } } });
    await customer({ text: 'hello?' });
    await s.baton.dispatcher.drain();
    // held: nothing was sent, nothing was tried
    expect(events(bot)).toEqual(['Verification']);
    const held = (await s.call('GET', '/v1/deliveries?state=pending&targetId=imibot')).body.items;
    expect(held.map((d: any) => [d.seq, d.eventType, d.attempts]).sort((x: any, y: any) => x[0] - y[0])).toEqual([
      [1, 'conversation.opened', 0], [2, 'bot_session.opened', 0], [3, 'message.received', 0], [4, 'message.received', 0], [5, 'message.received', 0],
    ]);
    expect((await s.call('GET', '/v1/components/imibot/health')).body.health).toMatchObject({ state: 'unverified', backlog: 5, blockedConversations: 0 });

    // a failed verify says why and changes nothing
    const refused = await s.call('POST', '/v1/components/imibot/verify');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'verification_failed', details: { reason: expect.stringContaining('does not carry the verification token') } });
    await s.baton.dispatcher.drain();
    expect(events(bot)).toEqual(['Verification', 'Verification']);

    bot.behave(withToken(VT));
    const passed = await s.call('POST', '/v1/components/imibot/verify');
    expect(passed.status).toBe(200);
    expect(passed.body).toMatchObject({ verified: true, released: 1, health: { state: 'active' } });
    await s.baton.dispatcher.drain();
    const botSessionId = first.body.conversation.botSession.id;
    const sent = bot.received.filter((r) => r.json.Event !== 'Verification');
    expect(sent.map((r) => r.body).slice(0, 2)).toEqual([
      fixture('incoming-message', { botSessionId, messageId: first.body.message.id }),
      fixture('fb-postback', { botSessionId }),
    ]);
    expect(sent.map((r) => r.json.Message ?? r.json.PostbackPayload)).toEqual(['I want to change my plan', 'PAYLOAD VALUE', 'hello?']);
  });

  it('applies the bot failover to a customer waiting on an unverified bot at its deadline, not before', async () => {
    const { bot, channel } = await endpoints(() => ({ status: 503 }));
    const clock = new ManualClock(AT);
    const s: TestServer = await startServer(engine.name, config(bot, channel), { clock, apiKey: KEY });
    running.push(s);
    const first = await s.call('POST', '/v1/channels/fb/messages', { customer: '+919800000003', text: 'hello?' });
    await s.baton.dispatcher.drain();
    clock.advance(29_000);
    expect(await s.baton.router.runDueTimers()).toBe(0);
    clock.advance(1_000);
    expect(await s.baton.router.runDueTimers()).toBe(1);
    // a "bot" rule's default policy (notify): the conversation records that the bot is unavailable
    const log = (await s.call('GET', `/v1/conversations/${first.body.conversation.id}/events`)).body.items;
    expect(log.filter((e: any) => e.type === 'bot.unavailable').map((e: any) => e.data)).toEqual([{ bot: 'imibot', reason: "the customer's message was not taken in time: no answer", policy: 'notify' }]);
    expect(events(bot)).toEqual(['Verification']);
  });

  it('verifies at every start: a restart that changes the token verifies it again and holds deliveries until it passes; one that changes nothing keeps the bot active', async () => {
    place = { engine: engine.name, dataDir: mkdtempSync(join(tmpdir(), 'baton-imi-verify-')), ...(engine.name === 'postgres' ? { schema: freshSchemaName() } : {}) };
    const { bot, channel } = await endpoints(withToken(VT));
    const start = async (cfg: unknown) => {
      const b = await bootOn(place!, cfg);
      running.push(b.baton);
      return b;
    };
    const stop = async () => {
      while (running.length) await running.pop()!.close();
    };
    const health = async (url: string) => (await http(`${url}/v1/components/imibot/health`, 'GET', undefined, auth)).body.health.state;

    let b = await start(config(bot, channel));
    expect(events(bot)).toEqual(['Verification']);
    expect(await health(b.url)).toBe('active');
    await stop();

    // The same configuration while the bot answers without its token: verified, failed, still active
    // (its every answer is checked for the token anyway).
    bot.behave(() => ({ status: 200, body: '{}' }));
    b = await start(config(bot, channel));
    expect(events(bot)).toEqual(['Verification', 'Verification']);
    expect(await health(b.url)).toBe('active');
    await stop();

    // A new token the bot does not answer with yet: the edit is not saved, what comes is held.
    bot.behave(withToken(VT));
    b = await start(config(bot, channel, { verificationToken: 'vt-rotated-77' }));
    expect(events(bot)).toEqual(['Verification', 'Verification', 'Verification']);
    expect(await health(b.url)).toBe('unverified');
    const said = await http(`${b.url}/v1/channels/fb/messages`, 'POST', { customer: '+919800000002', text: 'anyone?' }, auth);
    expect(said.status).toBe(201);
    await b.baton.dispatcher.drain();
    expect(events(bot)).toEqual(['Verification', 'Verification', 'Verification']);

    bot.behave(withToken('vt-rotated-77'));
    expect((await http(`${b.url}/v1/components/imibot/verify`, 'POST', undefined, auth)).body).toMatchObject({ verified: true, released: 1 });
    await b.baton.dispatcher.drain();
    expect(bot.received.at(-1)!.json).toMatchObject({ Event: 'Incoming message', Message: 'anyone?', Conversationid: said.body.conversation.botSession.id });
  });
});

describe('baton config check and IMI bots', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-imi-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function check(component: Record<string, unknown>): string[] {
    const file = join(dir, 'baton.yaml');
    writeFileSync(file, JSON.stringify({ accounts: [{ id: 'telco', apiKeys: [KEY], channels: [{ id: 'fb', kind: 'native' }], components: [{ id: 'imibot', kind: 'bot', dialect: 'imi', url: 'https://bot.example.com/hook', ...component }] }] }));
    try {
      loadConfigFile(file);
      return [];
    } catch (err) {
      return (err as { details: { problems: string[] } }).details.problems;
    }
  }

  it('refuses a generic bot without a verification token, and an IMI kind it does not know', () => {
    const missing = ['accounts[0].components[0].secrets.verificationToken: a generic IMI bot needs its verification token: Baton verifies the webhook with it and its every answer must carry it'];
    expect(check({})).toEqual(missing);
    expect(check({ options: { kind: 'generic' }, secrets: { accessToken: 'not-the-one' } })).toEqual(missing);
    expect(check({ options: { kind: 'generic' }, secrets: { verificationToken: '' } })).toEqual(missing);
    expect(check({ options: { kind: 'imibot' }, secrets: { verificationToken: VT } })).toEqual(['accounts[0].components[0].options.kind: must be one of "generic", "imi-bot" (IMI BOT or OTHERS)']);
  });

  it('takes a generic bot with its token and an IMI BOT without one', () => {
    expect(check({ secrets: { verificationToken: VT } })).toEqual([]);
    expect(check({ options: { kind: 'imi-bot' }, secrets: { accessToken: 'bot-access-token' } })).toEqual([]);
  });
});
