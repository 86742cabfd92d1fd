import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { waitUntil } from '../helpers/child-baton.js';
import { expectedSend, omnichannelFixture, postToChannel } from '../helpers/omnichannel.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'shop-key-0000000000000002';
const TOKEN = 'omni-inbound-token-00000000011';
const URL_TOKEN = 'omni-inbound-token-00000000012';
const DOWN_TOKEN = 'omni-inbound-token-00000000013';
// The document's own example of `Authorization: Token {token}`.
const WEBHOOK_TOKEN = 'ac650a3c369a4b9599ad52ab71943712';
const AT = '2026-05-04T10:20:30.456Z';

const sends = (client: Receiver) => client.received.filter((r) => r.method === 'POST');
const text = (messageId: string, words: string) => omnichannelFixture('text-message', { messageId, text: words });

describe.each(['sqlite', 'postgres'] as const)('Omnichannel answers on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function setup(opts: { downActive?: boolean } = {}) {
    const client = await startReceiver();
    const bot = await startReceiver();
    const desk = await startReceiver();
    // A client server that is not there (yet): it cuts every connection until it comes up.
    const down = await startReceiver();
    down.setDown(true);
    receivers.push(client, bot, desk, down);
    const clock = new ManualClock(AT);
    s = await startServer(engine, {
      accounts: [{
        id: 'shop',
        apiKeys: [KEY],
        channels: [
          // Header authorisation: the token goes in `Authorization: Token {token}`.
          { id: 'omni', kind: 'omnichannel', address: 'shop', outboundUrl: `${client.url}/baton`, credentials: { inboundToken: TOKEN, webhookToken: WEBHOOK_TOKEN } },
          // URL authorisation: no header token, the token is part of the URL.
          { id: 'omni-url', kind: 'omnichannel', address: 'shop', outboundUrl: `${client.url}/hooks/u-9d2e7/`, credentials: { inboundToken: URL_TOKEN } },
          { id: 'omni-down', kind: 'omnichannel', address: 'shop', outboundUrl: `${down.url}/client`, credentials: { inboundToken: DOWN_TOKEN, webhookToken: WEBHOOK_TOKEN }, active: opts.downActive ?? false },
        ],
        components: [{ id: 'bot', kind: 'bot', url: `${bot.url}/bot` }, { id: 'desk', kind: 'desk', url: `${desk.url}/desk` }],
        defaultDesk: 'desk',
        services: [{ id: 'web', channels: ['omni', 'omni-url', 'omni-down'], rules: [{ id: 'bot-first', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] }],
      }],
    }, { clock, apiKey: KEY });
    const visitor = async (words: string, messageId: string, token = TOKEN) => {
      const res = await postToChannel(s!.url, token, text(messageId, words));
      expect(res.status).toBe(200);
      return res.json.conversation_id as string;
    };
    const reply = (id: string, body: Record<string, unknown>) => s!.call('POST', `/v1/conversations/${id}/replies`, body);
    const channel = async (id: string) => ((await s!.call('GET', '/v1/channels')).body.items as any[]).find((c) => c.id === id);
    return { client, bot, desk, down, clock, s, visitor, reply, channel };
  }

  it('sends bot and agent answers to {url}/send_message with Authorization: Token as Webim messages, byte for byte: operator, keyboard, file_operator, long text whole', async () => {
    const { client, s, visitor, reply } = await setup();
    const id = await visitor('Which plans are there?', 'm-1');
    const plans = [{ id: 'b1', title: 'Basic plan', payload: 'BASIC' }, { id: 'b2', title: 'Premium plan', payload: 'PREMIUM' }];
    expect((await reply(id, { componentId: 'bot', text: 'We have two plans.' })).status).toBe(201);
    expect((await reply(id, { componentId: 'bot', content: { type: 'text', buttons: plans } })).status).toBe(201);
    const long = 'x'.repeat(1500);
    await reply(id, { componentId: 'bot', text: long });
    await s.call('POST', `/v1/conversations/${id}/handover`, { by: 'bot' });
    await reply(id, { componentId: 'desk', authorKind: 'agent', agentId: 'amy', content: { type: 'media', media: { url: 'https://files.example.com/out/invoice-2026-05.pdf', name: 'invoice-2026-05.pdf', contentType: 'application/pdf' } } });
    await s.baton.dispatcher.drain();

    const calls = sends(client);
    expect(calls.map((r) => r.path)).toEqual(Array(4).fill('/baton/send_message'));
    expect(calls.map((r) => r.headers.authorization)).toEqual(Array(4).fill(`Token ${WEBHOOK_TOKEN}`));
    expect(calls.map((r) => r.headers['content-type'])).toEqual(Array(4).fill('application/json'));
    expect(calls.map((r) => r.body)).toEqual([
      expectedSend('send-message-operator', { text: 'We have two plans.' }),
      expectedSend('send-message-keyboard'),
      expectedSend('send-message-operator', { text: long }),
      expectedSend('send-message-file'),
    ]);
  });

  it('sends the text, then its keyboard; the file, then its caption; each part only after the one before was taken, and a retry resumes at the part that failed', async () => {
    const { client, clock, s, visitor, reply } = await setup();
    const id = await visitor('Which plans are there?', 'm-1');
    // The client server takes the text, then fails the keyboard once.
    let keyboards = 0;
    client.behave((r) => (r.method === 'POST' && r.json?.message?.kind === 'keyboard' && keyboards++ === 0 ? { status: 503, body: '{"error":"busy"}' } : { status: 200, body: '{"result":"ok"}' }));
    await reply(id, { componentId: 'bot', content: { type: 'text', text: 'Which plan would you like?', buttons: [{ title: 'Basic plan', payload: 'BASIC' }, { title: 'Premium plan', payload: 'PREMIUM' }] } });
    await reply(id, { componentId: 'bot', content: { type: 'media', text: 'Your invoice', media: { url: 'https://files.example.com/out/invoice-2026-05.pdf', name: 'invoice-2026-05.pdf', contentType: 'application/pdf' } } });
    await s.baton.dispatcher.drain();
    const text = expectedSend('send-message-operator', { text: 'Which plan would you like?' });
    const keyboard = sends(client)[1]!.body;
    expect(JSON.parse(keyboard).message).toEqual({ kind: 'keyboard', buttons: [[{ id: 'BASIC', text: 'Basic plan' }], [{ id: 'PREMIUM', text: 'Premium plan' }]] });
    // The keyboard failed: the file waits behind it, in order.
    expect(sends(client).map((r) => r.body)).toEqual([text, keyboard]);
    clock.advance(10_000);
    await s.baton.dispatcher.drain();
    await reply(id, { componentId: 'bot', text: 'Anything else?' });
    await s.baton.dispatcher.drain();
    // The retry sent the keyboard only, not the text again.
    expect(sends(client).map((r) => JSON.parse(r.body).message.kind)).toEqual(['operator', 'keyboard', 'keyboard', 'file_operator', 'operator', 'operator']);
    expect(sends(client).slice(3).map((r) => r.body)).toEqual([
      expectedSend('send-message-file'),
      expectedSend('send-message-operator', { text: 'Your invoice' }),
      expectedSend('send-message-operator', { text: 'Anything else?' }),
    ]);
    const first = sends(client)[0]!;
    expect(first.headers['x-baton-part']).toBe('1/2');
    expect(sends(client)[2]!.headers['x-baton-part']).toBe('2/2');
    expect(sends(client)[2]!.headers['x-baton-message-id']).toBe(first.headers['x-baton-message-id']);
  });

  it('puts nothing in the header when the token is inside the channel\'s URL', async () => {
    const { client, s, visitor, reply } = await setup();
    const id = await visitor('Hi', 'm-2', URL_TOKEN);
    await reply(id, { componentId: 'bot', text: 'Hello!' });
    await s.baton.dispatcher.drain();
    const [call] = sends(client);
    expect(call!.path).toBe('/hooks/u-9d2e7/send_message');
    expect(call!.headers).not.toHaveProperty('authorization');
    expect(call!.body).toBe(expectedSend('send-message-operator', { text: 'Hello!' }));
  });

  it('retries while the client server fails, in order and with the same message, and delivers once it answers', async () => {
    const { client, clock, s, visitor, reply } = await setup();
    client.behave((r) => (r.method === 'POST' ? { status: 503, body: '{"error":"maintenance"}' } : { status: 200 }));
    const id = await visitor('Hi', 'm-3');
    await reply(id, { componentId: 'bot', text: 'one' });
    await reply(id, { componentId: 'bot', text: 'two' });
    await s.baton.dispatcher.drain();
    expect(sends(client).map((r) => r.json.message.text)).toEqual(['one']);
    clock.advance(10_000);
    await s.baton.dispatcher.drain();
    expect(sends(client).map((r) => r.json.message.text)).toEqual(['one', 'one']);
    const pending = (await s.call('GET', `/v1/deliveries?targetKind=channel&targetId=omni&state=pending`)).body.items as any[];
    expect(pending).toHaveLength(2);
    const attempts = (await s.call('GET', `/v1/deliveries/${pending.find((d) => d.seq === Math.min(...pending.map((p) => p.seq))).id}`)).body.delivery.attemptLog;
    expect(attempts.map((a: any) => [a.outcome, a.statusCode])).toEqual([['failed', 503], ['failed', 503]]);

    client.behave(() => ({ status: 200, body: '{}' }));
    clock.advance(6 * 60_000);
    await s.baton.dispatcher.drain();
    const texts = sends(client).map((r) => r.json.message.text);
    expect(texts).toEqual(['one', 'one', 'one', 'two']);
    expect(new Set(sends(client).slice(0, 3).map((r) => r.body))).toEqual(new Set([expectedSend('send-message-operator', { text: 'one' })]));
  });

  it('switches a channel whose server answers 410 off, says so, holds its answers, and sends them in order when it is switched on', async () => {
    const { client, s, visitor, reply, channel } = await setup();
    let gone = true;
    client.behave((r) => (r.method === 'POST' && gone ? { status: 410, body: '{"error":"gone"}' } : { status: 200, body: '{}' }));
    const id = await visitor('Hi', 'm-410');
    await reply(id, { componentId: 'bot', text: 'one' });
    await reply(id, { componentId: 'bot', text: 'two' });
    await s.baton.dispatcher.drain();
    expect(sends(client).map((r) => r.json.message.text)).toEqual(['one']);
    const off = await channel('omni');
    expect(off.active).toBe(false);
    expect(JSON.stringify(off)).toMatch(/410/);
    // Held, not failed: a replay of the held answer says what releases it, and changes nothing.
    const held = (await s.call('GET', '/v1/deliveries?targetKind=channel&targetId=omni&state=pending')).body.items as any[];
    expect(held).toHaveLength(2);
    const head = held.find((d) => d.seq === Math.min(...held.map((h) => h.seq)));
    const refused = await s.call('POST', `/v1/deliveries/${head.id}/replay`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/switch the channel on/);

    gone = false;
    const on = await s.call('POST', '/v1/channels/omni/activation', { active: true });
    expect(on.status).toBeLessThan(300);
    await s.baton.dispatcher.drain();
    expect(sends(client).filter((r) => r.json.message?.text).map((r) => r.json.message.text)).toEqual(['one', 'one', 'two']);
    expect((await s.call('GET', '/v1/deliveries?targetKind=channel&targetId=omni&state=pending')).body.items).toEqual([]);
  });

  it('retries while the client server is not there, and delivers when it comes up', async () => {
    const { s, clock, visitor, reply, down } = await setup({ downActive: true });
    const id = await visitor('Hi', 'm-4', DOWN_TOKEN);
    await reply(id, { componentId: 'bot', text: 'Hello from the bot' });
    await s.baton.dispatcher.drain();
    const [pending] = (await s.call('GET', '/v1/deliveries?targetKind=channel&targetId=omni-down&state=pending')).body.items as any[];
    expect((await s.call('GET', `/v1/deliveries/${pending.id}`)).body.delivery.attemptLog[0]).toMatchObject({ outcome: 'failed', statusCode: null, error: expect.any(String) });
    expect(sends(down)).toEqual([]);

    down.setDown(false);
    clock.advance(10_000);
    await s.baton.dispatcher.drain();
    expect(sends(down).map((r) => [r.path, r.headers.authorization, r.json.message.text])).toEqual([['/client/send_message', `Token ${WEBHOOK_TOKEN}`, 'Hello from the bot']]);
  });

  it('switches a channel off (the documented 400) and on: a client server that does not answer is a warning that stays until it does', async () => {
    const { s, channel, down } = await setup();
    // The check at start looks at active channels only.
    await waitUntil(async () => Boolean((await channel('omni')).reachability), 5000, () => 'omni was not checked at start');
    expect((await channel('omni-down')).reachability).toBeNull();
    const off = await s.call('POST', '/v1/channels/omni/activation', { active: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ channel: { id: 'omni', active: false }, warnings: [] });
    expect(off.body.channel).not.toHaveProperty('credentials');
    const refused = await postToChannel(s.url, TOKEN, text('m-5', 'Hi'));
    expect([refused.status, refused.text]).toEqual([400, '{"error":"There is no active channel for received event."}']);
    expect((await s.call('POST', '/v1/channels/omni/activation', { active: true })).body.warnings).toEqual([]);
    expect((await postToChannel(s.url, TOKEN, text('m-5', 'Hi'))).status).toBe(200);

    // Nothing answers at omni-down's URL: switched on all the same, with the warning.
    const on = await s.call('POST', '/v1/channels/omni-down/activation', { active: true });
    expect(on.status).toBe(200);
    expect(on.body.channel).toMatchObject({ active: true, reachability: { warning: expect.stringMatching(/^Can't reach channel: \S/), checkedAt: AT } });
    expect(on.body.warnings).toEqual([on.body.channel.reachability.warning]);
    expect((await channel('omni-down')).reachability).toEqual(on.body.channel.reachability);
    expect((await postToChannel(s.url, DOWN_TOKEN, text('m-6', 'Hi'))).status).toBe(200);

    // A server that answers with an error is still there; a 5xx is not.
    down.setDown(false);
    down.behave(() => ({ status: 503 }));
    await s.baton.reachability.checkAll({ warnedOnly: true });
    expect((await channel('omni-down')).reachability.warning).toBe('Can\'t reach channel: it answered HTTP 503');
    down.behave(() => ({ status: 404, body: 'no such page' }));
    await s.baton.reachability.checkAll({ warnedOnly: true });
    expect((await channel('omni-down')).reachability).toEqual({ warning: null, checkedAt: AT });
    expect(down.received.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([['GET', '/client', `Token ${WEBHOOK_TOKEN}`], ['GET', '/client', `Token ${WEBHOOK_TOKEN}`]]);

    expect((await s.call('POST', '/v1/channels/nope/activation', { active: true })).body.error.code).toBe('channel_not_found');
    expect((await s.call('POST', '/v1/channels/omni/activation', { on: true })).status).toBe(400);
  });

  it('checks every active Omnichannel channel when it starts', async () => {
    const { channel } = await setup({ downActive: true });
    await waitUntil(async () => Boolean((await channel('omni-down')).reachability), 5000, () => 'omni-down was not checked');
    expect((await channel('omni-down')).reachability.warning).toMatch(/^Can't reach channel: /);
    await waitUntil(async () => Boolean((await channel('omni')).reachability), 5000, () => 'omni was not checked');
    expect((await channel('omni')).reachability).toEqual({ warning: null, checkedAt: AT });
  });
});

describe.each(['sqlite', 'postgres'] as const)('an Omnichannel visitor, an IMI bot and an agent on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('talks to the bot, is handed over, gets the agent\'s answer, and is handed back to the bot', async () => {
    const VT = 'vt-omni-0001';
    const IMI_TOKEN = 'imi-inbound-token-omni-0001';
    const client = await startReceiver();
    const bot = await startReceiver(() => ({ status: 200, body: JSON.stringify({ verificationToken: VT }) }));
    const desk = await startReceiver();
    receivers.push(client, bot, desk);
    s = await startServer(engine, {
      accounts: [{
        id: 'shop',
        apiKeys: [KEY],
        teams: [{ id: 'billing', values: ['billing'] }],
        channels: [{ id: 'omni', kind: 'omnichannel', address: 'shop', outboundUrl: `${client.url}/baton`, credentials: { inboundToken: TOKEN, webhookToken: WEBHOOK_TOKEN } }],
        components: [
          { id: 'imibot', kind: 'bot', dialect: 'imi', url: `${bot.url}/hook`, secrets: { verificationToken: VT, inboundToken: IMI_TOKEN } },
          { id: 'ccsp', kind: 'desk', url: `${desk.url}/ccsp` },
        ],
        defaultDesk: 'ccsp',
        services: [{ id: 'care', channels: ['omni'], rules: [{ id: 'to-bot', trigger: { event: 'message' }, action: { type: 'bot', bot: 'imibot' } }] }],
      }],
    }, { clock: new ManualClock(AT), apiKey: KEY });
    const say = async (words: string, messageId: string) => (await postToChannel(s!.url, TOKEN, text(messageId, words))).json.conversation_id as string;
    const imi = (body: Record<string, unknown>) => fetch(`${s!.url}/imi/webhook/${IMI_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const drain = () => s!.baton.dispatcher.drain();

    const id = await say('I want to change my plan', 'm-1');
    await drain();
    const incoming = bot.received.find((r) => r.json.Event === 'Incoming message')!.json;
    expect(incoming).toMatchObject({ ConversationType: 'BOT', Message: 'I want to change my plan', MessageType: 'text', Channel: 'omni' });
    const botConversation = incoming.Conversationid as string;
    expect((await imi({ Conversationid: botConversation, Message: 'Sure, which plan?', MessageType: 'text' })).status).toBe(200);
    await drain();

    expect((await imi({ eventid: '1001', conversation_id: botConversation, message: 'wants billing', customparam1: 'billing' })).status).toBe(200);
    await say('Hello? Is anyone there?', 'm-2');
    await drain();
    expect(desk.received.filter((r) => r.json.type === 'message.received').map((r) => [r.json.forReply, r.json.message.content.text])).toEqual([[true, 'Hello? Is anyone there?']]);
    expect(bot.received.filter((r) => r.json.Event === 'Incoming message').map((r) => [r.json.ConversationType, r.json.Message])).toEqual([['BOT', 'I want to change my plan'], ['CCSP', 'Hello? Is anyone there?']]);
    const conv = (await s.call('GET', `/v1/conversations/${id}`)).body.conversation;
    expect(conv).toMatchObject({ controller: 'desk', team: 'billing', context: { channel_chat_id: '4021|omnichannel', customparam1: 'billing' } });

    expect((await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'ccsp', authorKind: 'agent', agentId: 'amy', text: 'Amy from billing here.' })).status).toBe(201);
    await s.call('POST', `/v1/conversations/${id}/close`, { scope: 'agent_session', agentId: 'amy' });
    expect((await s.call('POST', `/v1/conversations/${id}/handback`, { by: 'ccsp' })).body.conversation.controller).toBe('bot');
    await say('Thanks, that was all', 'm-3');
    await drain();
    const last = bot.received.filter((r) => r.json.Event === 'Incoming message').at(-1)!.json;
    expect([last.ConversationType, last.Message]).toEqual(['BOT', 'Thanks, that was all']);
    expect((await imi({ Conversationid: last.Conversationid, Message: 'Glad to help!', MessageType: 'text' })).status).toBe(200);
    await drain();

    expect(sends(client).map((r) => r.body)).toEqual(['Sure, which plan?', 'Amy from billing here.', 'Glad to help!'].map((t) => expectedSend('send-message-operator', { text: t })));
  });
});
