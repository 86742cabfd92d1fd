import { afterEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src/config/apply-config.js';
import { validateConfig } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/core/clock.js';
import { chatId } from '../../src/core/ids.js';
import { hashApiKey } from '../../src/edge-kit/api-keys.js';
import { engines } from '../helpers/engines.js';
import { omnichannelFixture, postRaw, postToChannel } from '../helpers/omnichannel.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'shop-key-0000000000000001';
const TOKEN = 'omni-inbound-token-00000000001';
const OFF_TOKEN = 'omni-inbound-token-00000000002';
const AT = '2026-05-04T10:20:30.456Z';
const NO_ACTIVE_CHANNEL = '{"error":"There is no active channel for received event."}';
const VARIABLES = {
  channel_visitor_id: 'v-7f3c',
  channel_conversation_id: 4021,
  channel_visitor_firstname: 'Anna',
  channel_visitor_account: 'anna.k',
  channel_visitor_phone: '+41791234567',
  channel_visitor_email: 'anna@example.com',
  channel_visitor_source: 'https://shop.example.com',
  channel_chat_id: '4021|omnichannel',
};

function config(client: Receiver, bot: Receiver, desk: Receiver) {
  return {
    accounts: [{
      id: 'shop',
      apiKeys: [KEY],
      channels: [
        { id: 'omni', kind: 'omnichannel', address: 'shop', outboundUrl: `${client.url}/baton`, credentials: { inboundToken: TOKEN } },
        { id: 'omni-off', kind: 'omnichannel', address: 'shop', outboundUrl: `${client.url}/off`, credentials: { inboundToken: OFF_TOKEN }, active: false },
      ],
      components: [
        { id: 'bot', kind: 'bot', url: `${bot.url}/bot` },
        { id: 'desk', kind: 'desk', url: `${desk.url}/desk` },
        { id: 'vip-desk', kind: 'desk', url: `${desk.url}/vip` },
      ],
      defaultDesk: 'desk',
      services: [{
        id: 'web',
        channels: ['omni', 'omni-off'],
        rules: [
          // Visitor fields feed rules: the document's `site` field picks the VIP desk.
          { id: 'vip', trigger: { event: 'message', conditions: { visitor: { site: '/vip\\.example\\.com/' } } }, action: { type: 'desk', desk: 'vip-desk' } },
          { id: 'bot-first', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } },
        ],
      }],
    }],
  };
}

const text = (messageId: string, words: string) => omnichannelFixture('text-message', { messageId, text: words });

describe.each(['sqlite', 'postgres'] as const)('Omnichannel requests on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function setup() {
    const client = await startReceiver();
    const bot = await startReceiver();
    const desk = await startReceiver();
    receivers.push(client, bot, desk);
    s = await startServer(engine, config(client, bot, desk), { clock: new ManualClock(AT), apiKey: KEY });
    const post = (body: string, token = TOKEN, contentType?: string) => postToChannel(s!.url, token, body, contentType);
    const conversations = async () => (await s!.call('GET', '/v1/conversations')).body.items as any[];
    return { client, bot, desk, s, post, conversations };
  }

  it('shows the webhook address in the admin API', async () => {
    const { s } = await setup();
    const channels = (await s.call('GET', '/v1/channels')).body.items as any[];
    const omni = channels.find((c) => c.id === 'omni');
    expect(omni.inboundUrl).toBe(`${s.url}/connector/omnichannel/omnichannel_message/${TOKEN}/bot_api_webhook`);
    expect(omni).not.toHaveProperty('credentials');
    const openapi = (await s.call('GET', '/openapi.json')).body;
    expect(openapi.paths['/connector/omnichannel/omnichannel_message/{token}/bot_api_webhook'].post).toMatchObject({ tags: ['omnichannel'], security: [] });
    expect(openapi.paths['/v1/channels/{channelId}/activation'].post.tags).toEqual(['admin']);
  });

  it('takes the documented text request as sent, one conversation per client chat, and hands the bot the text after the channel variables', async () => {
    const { bot, s, post } = await setup();
    const res = await post(text('m-1001', 'Hello, is the Premium plan available?'));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'accepted', duplicate: false, conversation_id: chatId('omni', '4021', 'shop') });
    await s.baton.dispatcher.drain();
    expect(bot.received.map((r) => r.json.type)).toEqual(['conversation.opened', 'context.updated', 'bot_session.opened', 'message.received']);
    expect(bot.received[1]!.json.data.context).toEqual(VARIABLES);
    expect(bot.received[3]!.json).toMatchObject({ forReply: true, customer: '4021', business: 'shop', message: { id: res.json.message_id, content: { type: 'text', text: 'Hello, is the Premium plan available?' } } });

    const conv = (await s.call('GET', `/v1/conversations/${res.json.conversation_id}`)).body.conversation;
    expect(conv.context).toEqual(VARIABLES);
    expect(conv.visitor).toEqual({ id: 'v-7f3c', name: 'Anna', login: 'anna.k', phone: '+41791234567', email: 'anna@example.com', site: 'https://shop.example.com' });
    const messages = (await s.call('GET', `/v1/conversations/${res.json.conversation_id}/messages`)).body.items;
    expect(messages).toMatchObject([{ channelMessageId: 'm-1001', author: { kind: 'customer', id: '4021' } }]);

    // The same variables again tell nobody anything; a changed one is told alone.
    await post(text('m-1002', 'Anyone?'));
    await post(text('m-1003', 'Hello?').replace('"Anna"', '"Anna Maria"'));
    await s.baton.dispatcher.drain();
    expect(bot.received.slice(4).map((r) => r.json.type)).toEqual(['message.received', 'context.updated', 'message.received']);
    expect(bot.received[5]!.json.data.context).toEqual({ channel_visitor_firstname: 'Anna Maria' });
  });

  it('accepts a retried request once', async () => {
    const { s, post } = await setup();
    const first = await post(text('m-2001', 'Hi'));
    const again = await post(text('m-2001', 'Hi'));
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...first.json, duplicate: true });
    expect((await s.call('GET', `/v1/conversations/${first.json.conversation_id}/messages`)).body.items).toHaveLength(1);
  });

  it('counts message ids per chat: two chats numbering their messages 1, 2 both reach the bot', async () => {
    const { bot, s, post } = await setup();
    const inChat = (chat: number, id: string, words: string) => text(id, words).replace('"chat_id": 4021', `"chat_id": ${chat}`);
    const answers = [];
    for (const [chat, id, words] of [[4021, '1', 'first of A'], [5022, '1', 'first of B'], [5022, '2', 'second of B'], [4021, '2', 'second of A']] as const) {
      answers.push(await post(inChat(chat, id, words)));
    }
    expect(answers.map((a) => [a.status, a.json.duplicate])).toEqual([[200, false], [200, false], [200, false], [200, false]]);
    expect(answers[1]!.json.conversation_id).toBe(chatId('omni', '5022', 'shop'));
    expect(answers[1]!.json.conversation_id).not.toBe(answers[0]!.json.conversation_id);
    await s.baton.dispatcher.drain();
    const texts = bot.received.filter((r) => r.json.type === 'message.received').map((r) => r.json.message.content.text);
    expect(texts.sort()).toEqual(['first of A', 'first of B', 'second of A', 'second of B']);
    // A real retry in chat B is still recognised, and answered with chat B's conversation.
    const again = await post(inChat(5022, '1', 'first of B'));
    expect(again.json).toMatchObject({ duplicate: true, conversation_id: answers[1]!.json.conversation_id, message_id: answers[1]!.json.message_id });
  });

  it('refuses a reused message id with other content as a conflict, and changes nothing', async () => {
    const { s, post } = await setup();
    const first = await post(text('m-3001', 'Hi'));
    const reused = await post(text('m-3001', 'Something else entirely'));
    expect(reused.status).toBe(409);
    expect(reused.json.error).toMatch(/already used in this chat/);
    expect(reused.json.detail).toMatch(/new id/);
    const messages = (await s.call('GET', `/v1/conversations/${first.json.conversation_id}/messages`)).body.items as any[];
    expect(messages.map((m) => m.content.text)).toEqual(['Hi']);
  });

  it('routes on the visitor fields: a rule on `site` sends the chat to another desk', async () => {
    const { s, post } = await setup();
    const res = await post(text('m-3001', 'Hi').replace('https://shop.example.com', 'https://vip.example.com/lounge'));
    const conv = (await s.call('GET', `/v1/conversations/${res.json.conversation_id}`)).body.conversation;
    expect(conv).toMatchObject({ ruleId: 'vip', controller: 'desk', desk: 'vip-desk' });
    expect(conv.context.channel_visitor_source).toBe('https://vip.example.com/lounge');
  });

  it('acknowledges a file until its state is ready, then hands it on as file:{content_type}|{id}|{url}', async () => {
    const { bot, s, post, conversations } = await setup();
    for (const state of ['uploading', 'processing']) {
      const res = await post(omnichannelFixture('file-message', { messageId: 'm-4001', state }));
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ status: 'ignored', detail: `the file's state is "${state}"; a file is processed only when its state is "ready"` });
    }
    await s.baton.dispatcher.drain();
    expect(await conversations()).toEqual([]);
    expect(bot.received).toEqual([]);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('baton_omnichannel_ignored_total{account="shop",channel="omni",reason="file_not_ready"} 2');

    // The same message id, now ready: recorded as the first and only message.
    const ready = await post(omnichannelFixture('file-message', { messageId: 'm-4001', state: 'ready' }));
    expect(ready.json).toMatchObject({ status: 'accepted', duplicate: false });
    await s.baton.dispatcher.drain();
    const received = bot.received.find((r) => r.json.type === 'message.received')!.json;
    expect(received.message.content).toEqual({
      type: 'text',
      text: 'file:application/pdf|f-5521|https://files.example.com/f-5521/invoice.pdf',
      media: { url: 'https://files.example.com/f-5521/invoice.pdf', contentType: 'application/pdf', name: 'invoice.pdf' },
    });
  });

  it('hands a button press on as the button\'s label', async () => {
    const { bot, s, post } = await setup();
    expect((await post(omnichannelFixture('button-press', { messageId: 'm-5001' }))).status).toBe(200);
    await s.baton.dispatcher.drain();
    const received = bot.received.find((r) => r.json.type === 'message.received')!.json;
    expect(received.message.content).toEqual({ type: 'text', text: 'Premium plan', postback: { payload: 'btn-premium', title: 'Premium plan' } });
  });

  it('answers an unknown token and a switched-off channel with the documented 400, before reading the body', async () => {
    const { post, conversations } = await setup();
    for (const [token, body] of [['not-a-token', text('m-6001', 'Hi')], ['not-a-token', '{"event": '], [OFF_TOKEN, text('m-6002', 'Hi')], [OFF_TOKEN, 'nonsense']] as const) {
      const res = await post(body, token);
      expect(res.status).toBe(400);
      expect(res.text).toBe(NO_ACTIVE_CHANNEL);
    }
    expect(await conversations()).toEqual([]);
  });

  const base = { event: 'new_message', chat_id: 4021, visitor: { id: 'v-7f3c', fields: { name: 'Anna' } }, message: { id: 'm-7001', kind: 'visitor', text: 'Hi' } };
  const msg = (message: Record<string, unknown>) => JSON.stringify({ ...base, message: { id: 'm-7001', ...message } });
  const missing: [string, string][] = [
    ['{}', 'event is required'],
    [JSON.stringify({ event: 'new_message' }), 'chat_id is required'],
    [JSON.stringify({ ...base, chat_id: null }), 'chat_id is required'],
    [JSON.stringify({ ...base, visitor: undefined }), 'visitor is required'],
    [JSON.stringify({ ...base, visitor: { fields: {} } }), 'visitor.id is required'],
    [JSON.stringify({ ...base, message: undefined }), 'message is required'],
    [JSON.stringify({ ...base, message: { kind: 'visitor', text: 'Hi' } }), 'message.id is required'],
    [msg({ text: 'Hi' }), 'message.kind is required'],
    [msg({ kind: 'visitor' }), 'message.text is required when message.kind is "visitor"'],
    [msg({ kind: 'file_visitor' }), 'message.data is required when message.kind is "file_visitor"'],
    [msg({ kind: 'file_visitor', data: { id: 'f-1' } }), 'message.data.state is required when message.kind is "file_visitor"'],
    [msg({ kind: 'file_visitor', data: { id: 'f-1', state: 'ready', content_type: 'image/png' } }), 'message.data.url is required when message.data.state is "ready"'],
    [msg({ kind: 'keyboard_response', data: {} }), 'message.data.button is required when message.kind is "keyboard_response"'],
    [msg({ kind: 'keyboard_response', data: { button: { id: 'b1' } } }), 'message.data.button.text is required when message.kind is "keyboard_response"'],
  ];

  it('answers a missing required parameter with 400, naming it', async () => {
    const { post, conversations } = await setup();
    for (const [body, detail] of missing) {
      const res = await post(body);
      expect([res.status, res.json]).toEqual([400, { error: 'A required parameter is missing in the request body.', detail }]);
    }
    expect(await conversations()).toEqual([]);
  });

  const malformed: [string, string, string?][] = [
    ['{"event": "new_message", "chat_id": ', 'the body is not valid JSON'],
    ['', 'the body is empty'],
    ['[1, 2]', 'the body must be a JSON object, not [1,2]'],
    [JSON.stringify({ ...base, chat_id: { id: 4021 } }), 'chat_id must be an integer (or a non-empty string), not {"id":4021}'],
    [JSON.stringify({ ...base, chat_id: 40.21 }), 'chat_id must be an integer (or a non-empty string), not 40.21'],
    [JSON.stringify({ ...base, visitor: 'v-7f3c' }), 'visitor must be an object, not "v-7f3c"'],
    [JSON.stringify({ ...base, visitor: { id: 'v-7f3c', fields: { name: { first: 'Anna' } } } }), 'visitor.fields.name must be a string, not {"first":"Anna"}'],
    [msg({ kind: 'visitor', text: 42 }), 'message.text must be a string, not 42'],
    [msg({ kind: 'file_visitor', data: 'ready' }), 'message.data must be an object, not "ready"'],
    [JSON.stringify(base), 'send the body as JSON, with content-type application/json', 'text/plain'],
  ];

  it('answers any other malformed body with 500, saying what is wrong', async () => {
    const { post, conversations } = await setup();
    for (const [body, detail, contentType] of malformed) {
      const res = await post(body, TOKEN, contentType);
      expect(res.status, body).toBe(500);
      expect(res.json.error).toBe('Incorrect JSON of the request body.');
      expect(res.json.detail).toContain(detail);
    }
    expect(await conversations()).toEqual([]);
  });

  it('acknowledges an unknown event or kind with 200 and records it, whatever else the body holds', async () => {
    const { bot, s, post, conversations } = await setup();
    const cases: [string, string][] = [
      [JSON.stringify({ event: 'typing', chat_id: 4021 }), 'event "typing" is not processed; only "new_message" is'],
      [JSON.stringify({ ...base, event: 42 }), 'event 42 is not processed; only "new_message" is'],
      [msg({ kind: 'sticker', data: { id: 's-1' } }), 'message.kind "sticker" is not processed; the kinds are visitor, file_visitor, keyboard_response'],
    ];
    for (const [body, detail] of cases) {
      const res = await post(body);
      expect([res.status, res.json]).toEqual([200, { status: 'ignored', detail }]);
    }
    await s.baton.dispatcher.drain();
    expect(await conversations()).toEqual([]);
    expect(bot.received).toEqual([]);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('baton_omnichannel_ignored_total{account="shop",channel="omni",reason="unknown_event"} 2');
    expect(metrics).toContain('baton_omnichannel_ignored_total{account="shop",channel="omni",reason="unknown_kind"} 1');
  });

  it('answers a wrong URL with 404, naming the right one', async () => {
    const { s } = await setup();
    const body = text('m-8001', 'Hi');
    const webhook = `${s.url}/connector/omnichannel/omnichannel_message/${TOKEN}/bot_api_webhook`;
    for (const [url, method] of [
      [webhook, 'GET'],
      [webhook.replace('bot_api_webhook', 'webhook'), 'POST'],
      [webhook.replace('/bot_api_webhook', ''), 'POST'],
      [webhook.replace('omnichannel_message', 'omnichannel_messages'), 'POST'],
      [`${s.url}/connector/omnichannel/`, 'POST'],
    ] as const) {
      const res = await postRaw(url, body, 'application/json', method);
      expect(res.status, url).toBe(404);
      expect(res.json).toEqual({ error: 'Incorrect URL.', detail: `No route ${method} ${new URL(url).pathname}; the client server posts to POST /connector/omnichannel/omnichannel_message/{token}/bot_api_webhook.` });
    }
  });
});

describe.each(engines)('Omnichannel channel tokens on $name', (engine) => {
  it('generates a channel\'s webhook token once, keeps it when the configuration is applied again, and knows it as the channel\'s', async () => {
    const { store, dispose } = await engine.open();
    try {
      const cfg = validateConfig({ accounts: [{ id: 'shop', channels: [{ id: 'omni', kind: 'omnichannel', outboundUrl: 'http://127.0.0.1:9/client' }, { id: 'api', kind: 'native' }] }] });
      const first = await applyConfig(store, cfg);
      const token = /omnichannel_message\/([^/]+)\//.exec(first.addresses.channel((await store.getChannel('shop', 'omni'))!)!)![1]!;
      expect(token).toMatch(/^[\w-]{32}$/);
      // The store says a token is set, and knows it only by its digest.
      expect((await store.getChannel('shop', 'omni'))!.credentials.inboundToken).toBe('[redacted]');
      const again = await applyConfig(store, cfg);
      expect(again.addresses.channel((await store.getChannel('shop', 'omni'))!)).toBe('/connector/omnichannel/omnichannel_message/[redacted]/bot_api_webhook');
      expect(await store.findInboundToken(hashApiKey(token))).toEqual({ accountId: 'shop', ownerKind: 'channel', ownerId: 'omni', kind: 'channel_token' });
      // Only channels whose address carries a token get one.
      expect((await store.getChannel('shop', 'api'))!.credentials.inboundToken).toBeUndefined();
    } finally {
      await dispose();
    }
  });

  it('refuses an omnichannel channel without the client server\'s URL', () => {
    expect(() => validateConfig({ accounts: [{ id: 'shop', channels: [{ id: 'omni', kind: 'omnichannel' }] }] })).toThrow(/accounts\[0\]\.channels\[0\]\.outboundUrl: an omnichannel channel needs the client server's URL/);
  });
});
