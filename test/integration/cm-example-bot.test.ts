import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startExampleBot } from '../helpers/example-bot.js';
import { freePort, until } from '../helpers/waiting.js';

const ACCOUNT = 'acme';
const KEY = 'cm-example-key-0000000001';
const BOT_TOKEN = 'a1b2c3d4-0000-4000-8000-00000000b0t1';
const DESK_TOKEN = 'a1b2c3d4-0000-4000-8000-0000000de5k1';
const CHANNEL_TOKEN = 'a1b2c3d4-0000-4000-8000-00000000c4a1';
const CUSTOMER = '+31612345678';
const BUSINESS = '+3197010203040';
const BOT = new URL('../../examples/cm-bot/bot.mjs', import.meta.url).pathname;

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe.each(['sqlite', 'postgres'] as const)('the example CM.com Bot Router bot, as a real process, through a whole conversation on %s', (engine) => {
  let s: TestServer;
  let bot: ChildProcess;
  let botUrl: string;
  let gateway: Receiver;
  let desk: Receiver;

  beforeAll(async () => {
    gateway = await startReceiver(() => ({ status: 200, body: '{"details":"Created 1 message(s)","errorCode":0,"messages":[]}' }));
    desk = await startReceiver(() => ({ status: 200 }));
    const port = await freePort();
    botUrl = `http://127.0.0.1:${port}`;
    s = await startServer(engine, {
      accounts: [{
        id: ACCOUNT,
        apiKeys: [KEY],
        teams: [{ id: 'billing', values: ['billing'] }],
        channels: [{ id: 'whatsapp', kind: 'cm', address: BUSINESS, outboundUrl: `${gateway.url}/v1.0/message`, credentials: { productToken: CHANNEL_TOKEN } }],
        components: [
          { id: 'CmBot', kind: 'bot', dialect: 'cm', url: `${botUrl}/mo`, secrets: { productToken: BOT_TOKEN } },
          { id: 'CustomerContact', kind: 'desk', dialect: 'cm', url: `${desk.url}/mo`, secrets: { productToken: DESK_TOKEN } },
        ],
        services: [{ id: 'care', channels: ['whatsapp'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'CmBot', desk: 'CustomerContact' } }] }],
      }],
    }, { apiKey: KEY, dispatch: true });
    bot = await startExampleBot(BOT, port, { BOT_ROUTER_URL: s.url, BOT_ROUTER_ACCOUNT_ID: ACCOUNT, PRODUCT_TOKEN: BOT_TOKEN });
  });

  afterAll(async () => {
    bot?.kill('SIGTERM');
    await s?.close();
    await gateway?.close();
    await desk?.close();
  });

  let n = 0;
  const say = async (text: string) => {
    n += 1;
    const mo = { from: { number: CUSTOMER, name: null }, to: { number: BUSINESS, name: null }, message: { text, media: { mediaUri: null, contentType: null, title: null }, custom: {} }, reference: `mo-${engine}-${n}`, groupings: [], timeUtc: new Date().toISOString(), channel: 'WhatsApp' };
    const res = await post(`${s.url}/conversational/channels/${ACCOUNT}/whatsapp/mo`, mo);
    expect(res.status).toBe(200);
    return res.json.chatId as string;
  };
  const transcript = async (): Promise<any[]> => (await fetch(`${botUrl}/transcript`)).json() as Promise<any[]>;
  const toCustomer = () => gateway.received.map((r) => r.json.messages.msg[0].body.content as string);
  const conversation = async (id: string) => (await s.call('GET', `/v1/conversations/${id}`)).body.conversation;
  const asDesk = { 'x-cm-producttoken': DESK_TOKEN };
  const control = (path: string, body: unknown) => post(`${s.url}/conversational/control/v1/accounts/${ACCOUNT}/sessions/${path}`, body, asDesk);
  const deskSays = (text: string) => post(`${s.url}/conversational/bmproxy/v1/accounts/${ACCOUNT}/v1.0/message`, { messages: { authentication: { producttoken: DESK_TOKEN }, msg: [{ from: BUSINESS, to: [{ number: CUSTOMER }], body: { type: 'auto', content: text } }] } });
  const notes = async ($type: string) => (await transcript()).filter((e) => e.message?.custom?.$type === $type).map((e) => e.message.custom);

  it('answers, hands over with context, is refused while the humans have the chat, is taken over, handed back to a position, routes by context and is reset', async () => {
    // MO -> bot -> BMProxy through CM's SDK -> CM's gateway.
    const chatId = await say('hi');
    await until('the bot\'s answer at the gateway', async () => toCustomer().includes('You said: hi'));
    expect(gateway.received[0]!.json.messages).toMatchObject({ authentication: { producttoken: CHANNEL_TOKEN }, msg: [{ from: BUSINESS, to: [{ number: CUSTOMER }], allowedChannels: ['WhatsApp'] }] });
    expect((await transcript()).find((e) => e.said === 'You said: hi').answer).toMatchObject({ errorCode: 0, messages: [{ to: CUSTOMER, status: 'Accepted' }] });

    // Hand-over: the bot disables itself with a Context that matches the billing team.
    await say('I need a person about my bill');
    const handed = await until('the hand-over', async () => {
      const c = await conversation(chatId);
      return c.controller === 'desk' && c;
    });
    expect(handed).toMatchObject({ team: 'billing', enabled: { CmBot: false, CustomerContact: true } });
    expect(handed.agentSession.context).toEqual({ Topic: 'billing', Question: 'I need a person about my bill' });
    expect(toCustomer()).toContain('Let me get you a colleague.');
    await until('the desk to hear of it', async () => desk.received.some((r) => r.json.message.custom.$type === 'mutation' && r.json.message.custom.Event === 'handover' && r.json.message.custom.Team === 'billing'));

    // Customer messages now reach the desk for reply; the bot, still answering, is refused.
    await say('are you there?');
    await until('the desk to get the message for reply', async () => desk.received.some((r) => r.json.message.text === 'are you there?' && r.headers['x-baton-for-reply'] === 'true'));
    const refused = await until('the bot\'s refused answer', async () => (await transcript()).find((e) => e.refused === 'You said: are you there?'));
    expect(refused.answer).toMatchObject({ errorCode: 201, messages: [{ status: 'Rejected', messageErrorCode: 403 }] });
    expect(refused.answer.messages[0].messageDetails).toContain('component_disabled');
    const agent = await deskSays('Amy here, let me look.');
    expect(agent.json.messages[0].status).toBe('Accepted');
    await until('the agent at the customer', async () => toCustomer().includes('Amy here, let me look.'));
    expect(toCustomer()).not.toContain('You said: are you there?');

    // Hand-back, followed by a position request the bot acts on.
    expect((await control('mutations', { ChatId: chatId, Mutations: [{ $type: 'enableComponent', ComponentId: 'CmBot' }] })).json.Controller).toBe('bot');
    expect((await control('positionrequests', { ChatId: chatId, FlowId: 'billing', StepId: 'start' })).status).toBe(200);
    await until('the bot back at the position', async () => toCustomer().includes('Back with you at billing / start. How can I help?'));
    expect((await notes('mutation')).map((m) => [m.Event, m.By])).toEqual([['handback', 'CustomerContact']]);

    // Take-over from the desk: the bot is told, and its next answer is refused.
    const take = await control('mutations', { ChatId: chatId, Mutations: [{ $type: 'disableComponent', ComponentId: 'CmBot' }] });
    expect(take.json).toMatchObject({ Controller: 'desk' });
    await until('the bot to hear of the take-over', async () => (await notes('mutation')).some((m) => m.Event === 'takeover' && m.By === 'CustomerContact'));
    await say('thanks');
    await until('the refusal after the take-over', async () => (await transcript()).some((e) => e.refused === 'You said: thanks'));

    // Back to the bot; a hand-over whose context matches no team goes to the general queue, context kept.
    await control('mutations', { ChatId: chatId, Mutations: [{ $type: 'enableComponent', ComponentId: 'CmBot' }] });
    await say('a human please, about shoes');
    const general = await until('the second hand-over', async () => {
      const c = await conversation(chatId);
      return c.controller === 'desk' && c.agentSession?.context?.Topic === 'general' && c;
    });
    expect(general).toMatchObject({ team: null, agentSession: { status: 'queued', team: null, context: { Topic: 'general', Question: 'a human please, about shoes' } } });

    // Reset: every mutation gone, the rule's bot+desk defaults again, the bot told and answering.
    const reset = await post(`${s.url}/conversational/control/v1/accounts/${ACCOUNT}/sessions/${chatId}/reset`, undefined, asDesk);
    expect(reset.json).toMatchObject({ Controller: 'bot', Enabled: { CmBot: true, CustomerContact: false } });
    expect((await conversation(chatId)).mutations).toEqual({});
    await until('the bot to hear of the reset', async () => (await notes('reset')).length === 1);
    await say('hello again');
    await until('the bot answering again', async () => toCustomer().includes('You said: hello again'));

    const log = (await s.call('GET', `/v1/conversations/${chatId}/events?limit=500`)).body.items.map((e: any) => e.type);
    expect(log.filter((t: string) => ['handover', 'takeover', 'handback', 'position.requested', 'reset', 'reply.refused'].includes(t))).toEqual([
      'handover', 'reply.refused', 'handback', 'position.requested', 'takeover', 'reply.refused', 'handback', 'handover', 'reset',
    ]);
  }, 60_000);
});
