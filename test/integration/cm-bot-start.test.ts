import { readFileSync } from 'node:fs';
import { CMTypes, MessageApiClient } from '@cmdotcom/text-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Seed 002: "Sending and receiving messages through the botrouter can be done just as with the
// Business Messaging API", which lets a bot write to a customer first. Through the BMProxy the bot
// starts the chat: it opens as the customer's first message would open it (the channel's rules,
// business hours and emergency switches decide who may write), and the customer's answer lands in it.

const ACCOUNT = 'e17acdef-c918-423d-a01b-1000cd084f6a';
const KEY = 'cm-start-key-0000000000001';
const BOT_TOKEN = '0b6f3b0e-6c44-4d57-9d5e-5a1f0c2b7d10';
const DESK_TOKEN = '7c2d9e41-1b3a-4f6c-8e2d-9a0b1c2d3e4f';
const CHANNEL_TOKEN = '3e9a1c55-2f4b-4c8d-b1a6-0d7e8f9a0b1c';
// A Wednesday, 10:23 in Amsterdam: within the bot's hours.
const AT = '2020-09-16T08:23:32.898Z';
const CUSTOMER = '+31612345678';
const BUSINESS = '+3197010203040';
const TWIN = '+3197099999999';
// Computed outside this code base (Python: uuid.uuid5(UUID('9f5d8f62-3b1e-4c7a-9e2d-1a6b0c4d8e73'), 'whatsapp\n+31612345678\n+3197010203040')).
const CHAT_ID = '5450282c-aef4-5cd2-b934-3b6dddc319a3';

function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/cm/${name}.json`, import.meta.url), 'utf8');
}

function fixture(name: string, values: Record<string, string> = {}): string {
  const text = fixtureText(name).replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    if (!(k in values)) throw new Error(`fixture ${name} needs ${k}`);
    return values[k]!;
  });
  return JSON.stringify(JSON.parse(text));
}

function config(bot: Receiver, desk: Receiver, gateway: Receiver) {
  const cm = (id: string, address: string, outbound = true) => ({ id, kind: 'cm', address, ...(outbound ? { outboundUrl: `${gateway.url}/v1.0/message` } : {}), credentials: { productToken: CHANNEL_TOKEN } });
  return {
    accounts: [{
      id: ACCOUNT,
      apiKeys: [KEY],
      // whatsapp is the one channel that sends from BUSINESS (guarded has nowhere to send); the twins share TWIN.
      channels: [cm('whatsapp', BUSINESS), cm('guarded', BUSINESS, false), cm('twin-a', TWIN), cm('twin-b', TWIN)],
      components: [
        { id: 'CmBot', kind: 'bot', dialect: 'cm', url: `${bot.url}/mo`, secrets: { productToken: BOT_TOKEN } },
        { id: 'CustomerContact', kind: 'desk', dialect: 'cm', url: `${desk.url}/mo`, secrets: { productToken: DESK_TOKEN } },
      ],
      defaultDesk: 'CustomerContact',
      services: [{
        id: 'care',
        channels: ['whatsapp', 'guarded', 'twin-a', 'twin-b'],
        rules: [
          { id: 'bot-in-hours', trigger: { event: 'message', conditions: { businessHours: { timezone: 'Europe/Amsterdam', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00' } } }, action: { type: 'bot+desk', bot: 'CmBot', desk: 'CustomerContact' } },
          { id: 'desk-after-hours', trigger: { event: 'message' }, action: { type: 'desk', desk: 'CustomerContact' } },
        ],
      }],
    }],
  };
}

describe.each(['sqlite', 'postgres'] as const)('a CM bot starting a chat through the BMProxy on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function setup() {
    const bot = await startReceiver(() => ({ status: 200 }));
    const desk = await startReceiver(() => ({ status: 200 }));
    const gateway = await startReceiver(() => ({ status: 200, body: fixture('bm-accepted', { to: CUSTOMER, reference: 'x' }) }));
    receivers.push(bot, desk, gateway);
    const clock = new ManualClock(AT);
    s = await startServer(engine, config(bot, desk, gateway), { clock, apiKey: KEY });
    const server = s;
    const base = `${server.url}/conversational`;
    const bmproxy = `${base}/bmproxy/v1/accounts/${ACCOUNT}`;
    /** The document's address, the body as CM documents it. */
    const send = async (token: string, msg: Record<string, unknown>) => {
      const res = await fetch(bmproxy, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: { authentication: { producttoken: token }, msg: [msg] } }) });
      return { status: res.status, json: await res.json() as any };
    };
    const msg = (over: Record<string, unknown> = {}) => ({ from: BUSINESS, to: [{ number: CUSTOMER }], body: { type: 'auto', content: 'Your parcel arrives today.' }, reference: 'r-1', ...over });
    const conversations = async () => (await server.call('GET', '/v1/conversations')).body.items as any[];
    const drain = () => server.baton.dispatcher.drain();
    return { bot, desk, gateway, clock, s: server, base, bmproxy, send, msg, conversations, drain };
  }

  it('opens the chat for the bot\'s first message, sent with CM\'s SDK, and the customer\'s answer lands in it', async () => {
    const { bot, desk, gateway, s, base, bmproxy, drain } = await setup();
    const client = new MessageApiClient(BOT_TOKEN);
    const api = new CMTypes.MessagesApi(bmproxy);
    const sent = await api.messagesSendMessage(client.createMessage().setMessage([CUSTOMER], BUSINESS, 'Your parcel arrives today.', 'r-1').setAllowedChannels(['WhatsApp']));
    expect(sent.status).toBe(200);
    expect(JSON.stringify(sent.data)).toBe(fixture('bm-accepted', { to: CUSTOMER, reference: 'r-1' }));

    // The chat is the one the customer's MOs derive: channel, customer, business.
    const conv = (await s.call('GET', `/v1/conversations/${CHAT_ID}`)).body.conversation;
    expect(conv).toMatchObject({ channelId: 'whatsapp', customer: CUSTOMER, business: BUSINESS, mode: 'bot+desk', controller: 'bot', status: 'open', lastCustomerMessageAt: null });
    const log = (await s.call('GET', `/v1/conversations/${CHAT_ID}/events`)).body.items;
    expect(log.map((e: any) => e.type)).toEqual(['conversation.opened', 'message.sent']);
    expect(log[0].data).toMatchObject({ by: 'CmBot', ruleId: 'bot-in-hours', controller: 'bot' });
    expect(log[1].data).toMatchObject({ componentId: 'CmBot', authorKind: 'bot' });

    await drain();
    expect(gateway.received.map((r) => r.body)).toEqual([fixture('bm-to-gateway', { productToken: CHANNEL_TOKEN, business: BUSINESS, customer: CUSTOMER, text: 'Your parcel arrives today.', reference: 'r-1' })]);
    // Customer Contact, dormant, is told of the bot's message so it has the whole chat.
    expect(desk.received.map((r) => r.json.message.custom.$type)).toEqual(['messageSent']);

    // The customer answers on WhatsApp: the same chat, and their first message in it.
    const mo = JSON.parse(fixtureText('mo-webhook'));
    delete mo.conversationalRouter;
    Object.assign(mo, { from: { number: CUSTOMER, name: null }, to: { number: BUSINESS, name: null }, reference: 'mo-1' });
    mo.message.text = 'Thanks! Can I pick it up instead?';
    const answered = await fetch(`${base}/channels/${ACCOUNT}/whatsapp/mo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mo) });
    expect(await answered.json()).toMatchObject({ status: 'accepted', chatId: CHAT_ID });
    await drain();
    expect(bot.received.map((r) => [r.json.message.text, r.json.conversationalRouter])).toEqual([['Thanks! Can I pick it up instead?', { chatId: CHAT_ID, accountId: ACCOUNT }]]);
    const received = (await s.call('GET', `/v1/conversations/${CHAT_ID}/events`)).body.items.at(-1);
    expect(received).toMatchObject({ type: 'message.received', data: { first: true, controller: 'bot' } });
  });

  it('starts the chat CM\'s MOs will name whichever way the numbers are spelled', async () => {
    const { send, msg, conversations } = await setup();
    const res = await send(BOT_TOKEN, msg({ from: '00' + BUSINESS.slice(1), to: [{ number: '00' + CUSTOMER.slice(1) }] }));
    expect(res.json.messages[0]).toMatchObject({ to: '0031612345678', status: 'Accepted' });
    expect((await conversations()).map((c) => [c.id, c.customer, c.business])).toEqual([[CHAT_ID, CUSTOMER, BUSINESS]]);
    // and the next message finds it
    expect((await send(BOT_TOKEN, msg({ reference: 'r-2' }))).json.messages[0].status).toBe('Accepted');
    expect(await conversations()).toHaveLength(1);
  });

  it('lets the rules decide who may start it: the dormant desk may not, after hours only the desk may', async () => {
    const { gateway, clock, s, send, msg, conversations, drain } = await setup();
    const byDesk = await send(DESK_TOKEN, msg());
    expect(byDesk.status).toBe(400);
    expect(byDesk.json.messages[0]).toMatchObject({ status: 'Rejected', messageErrorCode: 403, messageDetails: expect.stringContaining('Rejected (component_disabled): Component CustomerContact is not enabled') });
    expect(await conversations()).toEqual([]);

    clock.set('2020-09-16T19:30:00.000Z'); // 21:30 in Amsterdam
    const byBot = await send(BOT_TOKEN, msg());
    expect(byBot.json.messages[0]).toMatchObject({ status: 'Rejected', messageErrorCode: 403, messageDetails: expect.stringContaining('component_disabled') });
    expect(await conversations()).toEqual([]);
    const after = await send(DESK_TOKEN, msg({ body: { type: 'auto', content: 'We are closed, but here is your tracking link.' } }));
    expect(after.json.messages[0]).toMatchObject({ status: 'Accepted' });
    expect((await s.call('GET', `/v1/conversations/${CHAT_ID}`)).body.conversation).toMatchObject({ mode: 'desk', ruleId: 'desk-after-hours', controller: 'desk' });
    await drain();
    expect(gateway.received.map((r) => r.json.messages.msg[0].body.content)).toEqual(['We are closed, but here is your tracking link.']);
  });

  it('holds to the emergency switches and to a channel switched off, opening nothing', async () => {
    const { s, send, msg, conversations } = await setup();
    const refusal = async (why: string) => {
      const res = await send(BOT_TOKEN, msg());
      expect(res.status).toBe(400);
      expect(res.json.messages[0]).toMatchObject({ status: 'Rejected', messageErrorCode: 403, messageDetails: expect.stringContaining(why) });
      expect(await conversations()).toEqual([]);
    };
    await s.call('POST', '/v1/emergency', { on: true });
    await refusal('Rejected (component_disabled)');
    await s.call('POST', '/v1/emergency', { on: false });
    await s.call('POST', '/v1/channels/whatsapp/emergency', { on: true });
    await refusal('Rejected (component_disabled)');
    await s.call('POST', '/v1/channels/whatsapp/emergency', { on: false });
    expect((await s.call('POST', '/v1/channels/whatsapp/activation', { active: false })).status).toBe(200);
    await refusal('Rejected (channel_inactive): Channel whatsapp is switched off');
    await s.call('POST', '/v1/channels/whatsapp/activation', { active: true });
    expect((await send(BOT_TOKEN, msg())).json.messages[0].status).toBe('Accepted');
  });

  it('refuses, with the reason, when no channel or more than one sends from the number', async () => {
    const { send, msg, conversations } = await setup();
    const nowhere = await send(BOT_TOKEN, msg({ from: '+3197000000000' }));
    expect(nowhere.json.messages[0]).toMatchObject({ status: 'Rejected', messageErrorCode: 302, messageDetails: `No chat between ${CUSTOMER} and +3197000000000 that component CmBot takes part in, and no cm channel of this account sends from +3197000000000 to start one: answer an MO with from = its to.number and to = its from.number, or send from a cm channel's address.` });
    const twins = await send(BOT_TOKEN, msg({ from: TWIN }));
    expect(twins.json.messages[0]).toMatchObject({ status: 'Rejected', messageErrorCode: 302, messageDetails: expect.stringContaining('several cm channels send from +3197099999999 (twin-a, twin-b)') });
    expect(await conversations()).toEqual([]);
  });
});
