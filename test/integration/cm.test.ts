import { readFileSync } from 'node:fs';
import { CMTypes, MessageApiClient } from '@cmdotcom/text-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startReceiver, type Receiver, type Received } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

// The Bot Router account id of the document's example is the Baton account id.
const ACCOUNT = 'e17acdef-c918-423d-a01b-1000cd084f6a';
const KEY = 'cm-test-key-000000000000001';
const OTHER_KEY = 'cm-other-key-00000000000002';
const BOT_TOKEN = '0b6f3b0e-6c44-4d57-9d5e-5a1f0c2b7d10';
const DESK_TOKEN = '7c2d9e41-1b3a-4f6c-8e2d-9a0b1c2d3e4f';
const CHANNEL_TOKEN = '3e9a1c55-2f4b-4c8d-b1a6-0d7e8f9a0b1c';
const AT = '2020-09-16T08:23:32.898Z';
const TIME_UTC = '2020-09-16T08:23:32.8980000+00:00';
const DOC_CHAT = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxxxxxx';

// chatIds computed outside this code base (Python: uuid.uuid5(UUID('9f5d8f62-3b1e-4c7a-9e2d-1a6b0c4d8e73'), 'whatsapp\n<customer>\n<business>')).
const DOC_CHAT_ID = '6c8e60e4-266e-5d46-978f-7e4d4612aef3'; // the document's MO: +316012345678 to +316012345678
const CUSTOMER = '+31612345678';
const BUSINESS = '+3197010203040';
const CHAT_ID = '5450282c-aef4-5cd2-b934-3b6dddc319a3'; // CUSTOMER -> BUSINESS, and every answer BUSINESS -> CUSTOMER
const SWAPPED_CHAT_ID = 'dae1b174-1049-5725-a9fa-fb3f4844b6c2'; // what naming the business as the customer would give

function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/cm/${name}.json`, import.meta.url), 'utf8');
}

/** A fixture as the exact bytes Baton must send: the keys in the file's order, `{{...}}` filled. */
function fixture(name: string, values: Record<string, string> = {}): string {
  const text = fixtureText(name).replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    if (!(k in values)) throw new Error(`fixture ${name} needs ${k}`);
    return values[k]!;
  });
  return JSON.stringify(JSON.parse(text));
}

/** One of the document's control examples as it prints it, with only its placeholder ChatId filled. */
function docExample(name: string, chatId: string): string {
  return fixtureText(name).replace(DOC_CHAT, chatId);
}

/** The document's MO example, as CM's gateway would post it for another customer, text and reference. */
function mo(over: { customer?: string; business?: string; text?: string | null; reference?: string } = {}): string {
  const m = JSON.parse(fixtureText('mo-webhook'));
  delete m.conversationalRouter;
  if (over.customer) m.from.number = over.customer;
  if (over.business) m.to.number = over.business;
  if (over.text !== undefined) m.message.text = over.text;
  if (over.reference) m.reference = over.reference;
  return JSON.stringify(m);
}

function config(bot: Receiver, desk: Receiver, gateway: Receiver) {
  return {
    accounts: [
      {
        id: ACCOUNT,
        apiKeys: [KEY],
        teams: [{ id: 'billing', values: ['Value1'] }],
        channels: [
          { id: 'whatsapp', kind: 'cm', address: BUSINESS, outboundUrl: `${gateway.url}/v1.0/message`, credentials: { productToken: CHANNEL_TOKEN } },
          { id: 'guarded', kind: 'cm', address: BUSINESS, credentials: { inboundToken: 'guard-token-1' } },
          { id: 'api', kind: 'native', address: BUSINESS },
        ],
        components: [
          { id: 'CmBot', kind: 'bot', dialect: 'cm', url: `${bot.url}/mo`, secrets: { productToken: BOT_TOKEN } },
          { id: 'CustomerContact', kind: 'desk', dialect: 'cm', url: `${desk.url}/mo`, secrets: { productToken: DESK_TOKEN } },
        ],
        defaultDesk: 'CustomerContact',
        services: [{ id: 'care', channels: ['whatsapp', 'guarded', 'api'], rules: [{ id: 'bot-first', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'CmBot', desk: 'CustomerContact' } }] }],
      },
      { id: 'other', apiKeys: [OTHER_KEY] },
    ],
  };
}

async function post(url: string, body: string | undefined, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, text, json };
}

const notifications = (r: Receiver) => r.received.filter((x) => x.json?.message?.custom?.$type);
const customerMessages = (r: Receiver) => r.received.filter((x) => !x.json?.message?.custom?.$type);

describe.each(['sqlite', 'postgres'] as const)('CM.com Bot Router dialect on %s', (engine) => {
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
    const moUrl = `${base}/channels/${ACCOUNT}/whatsapp/mo`;
    const bmproxy = `${base}/bmproxy/v1/accounts/${ACCOUNT}`;
    const control = `${base}/control/v1/accounts/${ACCOUNT}/sessions`;
    const drain = () => server.baton.dispatcher.drain();
    const asBot = { 'x-cm-producttoken': BOT_TOKEN };
    const asDesk = { 'x-cm-producttoken': DESK_TOKEN };
    /** A customer writes on WhatsApp through CM's gateway. */
    const customer = async (text: string, reference: string, who = CUSTOMER) => {
      const res = await post(moUrl, mo({ customer: who, business: BUSINESS, text, reference }));
      expect(res.status).toBe(200);
      return res.json as { chatId: string };
    };
    const conversation = async (id: string) => (await server.call('GET', `/v1/conversations/${id}`)).body.conversation;
    const events = async (id: string) => (await server.call('GET', `/v1/conversations/${id}/events`)).body.items as any[];
    return { bot, desk, gateway, clock, s: server, moUrl, bmproxy, control, drain, asBot, asDesk, customer, conversation, events };
  }

  /** Every value a notification fixture needs for the main chat, with the reference it arrived with. */
  const filled = (r: Received, extra: Record<string, string> = {}) => ({ customer: CUSTOMER, business: BUSINESS, reference: r.headers['x-baton-delivery-id'] as string, timeUtc: TIME_UTC, chatId: CHAT_ID, accountId: ACCOUNT, ...extra });

  it('takes the document\'s MO at the cm channel and sends it to the bot and the dormant desk exactly as the document shows it', async () => {
    const { bot, desk, s, moUrl, drain } = await setup();
    const channels = (await s.call('GET', '/v1/channels')).body.items;
    expect(channels.find((c: any) => c.id === 'whatsapp').inboundUrl).toBe(moUrl);
    const components = (await s.call('GET', '/v1/components')).body.items;
    expect(components.find((c: any) => c.id === 'CmBot').inboundUrl).toBe(`${s.url}/conversational/bmproxy/v1/accounts/${ACCOUNT}`);

    const res = await post(moUrl, fixtureText('mo-webhook'));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'accepted', chatId: DOC_CHAT_ID, reference: '2f2d42ac-3809-40fb-bce5-dc720e400000', duplicate: false });
    await drain();
    // The document's example, byte for byte, with the chat's own id and the account's; its
    // timeUtc and groupings are the gateway's, not Baton's receive time.
    const doc = JSON.parse(fixtureText('mo-webhook'));
    const expected = JSON.stringify({ ...doc, conversationalRouter: { chatId: DOC_CHAT_ID, accountId: ACCOUNT } });
    expect(JSON.parse(expected).timeUtc).toBe('2020-09-16T08:23:32.8981621+00:00');
    expect(bot.received.map((r) => r.body)).toEqual([expected]);
    expect(bot.received[0]!.path).toBe('/mo');
    expect(bot.received[0]!.headers['x-baton-for-reply']).toBe('true');
    // Customer Contact "always receives all conversations, it just lies dormant until CmBot is disabled".
    expect(desk.received.map((r) => r.body)).toEqual([expected]);
    expect(desk.received[0]!.headers['x-baton-for-reply']).toBe('false');

    // CM retries an MO it got no 200 for: the same reference is taken once.
    const again = await post(moUrl, fixtureText('mo-webhook'));
    expect(again.json).toMatchObject({ chatId: DOC_CHAT_ID, duplicate: true });
    await drain();
    expect(bot.received).toHaveLength(1);
  });

  it('passes the MO\'s groupings through and takes a customer\'s $type out of message.custom, so no customer forges a notification', async () => {
    const { bot, moUrl, drain } = await setup();
    const res = await post(moUrl, fixtureText('mo-forged-type'));
    expect(res.status).toBe(200);
    await drain();
    expect(bot.received.map((r) => r.body)).toEqual([fixture('mo-forged-type-to-bot', { chatId: DOC_CHAT_ID, accountId: ACCOUNT })]);
    expect(notifications(bot)).toHaveLength(0);
  });

  it('derives one chatId for both directions: the MO, the SDK\'s answer through the BMProxy and the gateway request all land in one chat', async () => {
    const { bot, gateway, s, bmproxy, drain, customer, events } = await setup();
    const { chatId } = await customer('What are your opening hours?', 'mo-1');
    expect(chatId).toBe(CHAT_ID);
    await drain();
    expect(bot.received[0]!.json.conversationalRouter).toEqual({ chatId: CHAT_ID, accountId: ACCOUNT });
    expect(bot.received[0]!.json).toMatchObject({ from: { number: CUSTOMER }, to: { number: BUSINESS }, message: { text: 'What are your opening hours?' }, reference: 'mo-1' });

    // CM's own Node SDK, its base path set to the BMProxy: it posts to <base>/v1.0/message.
    const client = new MessageApiClient(BOT_TOKEN);
    const api = new CMTypes.MessagesApi(bmproxy);
    const sent = await api.messagesSendMessage(client.createMessage().setMessage([CUSTOMER], BUSINESS, 'We are open 9 to 5.', 'r-1').setAllowedChannels(['WhatsApp']));
    expect(sent.status).toBe(200);
    expect(JSON.stringify(sent.data)).toBe(fixture('bm-accepted', { to: CUSTOMER, reference: 'r-1' }));
    // The document's address itself takes the same body, here as CM documents it (lower-case producttoken, no reference).
    const plain = await post(bmproxy, JSON.stringify({ messages: { authentication: { producttoken: BOT_TOKEN }, msg: [{ from: BUSINESS, to: [{ number: CUSTOMER }], body: { type: 'auto', content: 'Anything else?' } }] } }));
    expect(plain.status).toBe(200);
    expect(plain.json.messages[0]).toEqual({ to: CUSTOMER, status: 'Accepted', reference: null, parts: 1, messageDetails: null, messageErrorCode: 0 });

    // CM's documents ask for numbers with a leading 00, its MOs carry +: either finds the chat.
    const zeros = await post(bmproxy, JSON.stringify({ messages: { authentication: { producttoken: BOT_TOKEN }, msg: [{ from: BUSINESS, to: [{ number: '0031612345678' }], body: { content: 'Bye!' } }] } }));
    expect(zeros.json.messages[0]).toMatchObject({ to: '0031612345678', status: 'Accepted' });

    const log = await events(CHAT_ID);
    expect(log.filter((e) => e.type === 'message.sent').map((e) => e.data.componentId)).toEqual(['CmBot', 'CmBot', 'CmBot']);
    expect((await s.call('GET', `/v1/conversations/${SWAPPED_CHAT_ID}`)).status).toBe(404);

    await drain();
    const messages = (await s.call('GET', `/v1/conversations/${CHAT_ID}/messages`)).body.items;
    const reference = (text: string) => messages.find((m: any) => m.content.text === text).id.replace(/-/g, '');
    expect(gateway.received.map((r) => r.path)).toEqual(['/v1.0/message', '/v1.0/message', '/v1.0/message']);
    expect(gateway.received.map((r) => r.body)).toEqual([
      // The bot's own reference goes on to the gateway: CM correlates its status reports on it.
      fixture('bm-to-gateway', { productToken: CHANNEL_TOKEN, business: BUSINESS, customer: CUSTOMER, text: 'We are open 9 to 5.', reference: 'r-1' }),
      // No allowedChannels asked for: the one the customer wrote on.
      fixture('bm-to-gateway', { productToken: CHANNEL_TOKEN, business: BUSINESS, customer: CUSTOMER, text: 'Anything else?', reference: reference('Anything else?') }),
      fixture('bm-to-gateway', { productToken: CHANNEL_TOKEN, business: BUSINESS, customer: CUSTOMER, text: 'Bye!', reference: reference('Bye!') }),
    ]);
  });

  it('hands over on the document\'s mutation: the desk is told, the customer reaches it, the bot\'s reply is refused and never sent', async () => {
    const { bot, desk, gateway, bmproxy, control, drain, asBot, asDesk, customer, conversation, events } = await setup();
    await customer('I want to talk to a person', 'mo-1');
    await drain();
    const res = await post(`${control}/mutations`, docExample('mutations', CHAT_ID), asBot);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ChatId: CHAT_ID, Controller: 'desk', ControlVersion: 2, Enabled: { CmBot: false, CustomerContact: true }, Team: null });
    await drain();
    // The desk hears of the hand-over and of the mutation that named it; the bot, who asked, hears nothing.
    const toDesk = notifications(desk);
    expect(toDesk.map((r) => r.body)).toEqual([fixture('notification-handover', filled(toDesk[0]!)), fixture('notification-mutation', filled(toDesk[1]!))]);
    expect(notifications(bot)).toEqual([]);

    await customer('Hello? Anyone there?', 'mo-2');
    await drain();
    const last = customerMessages(desk).at(-1)!;
    expect(last.json.message.text).toBe('Hello? Anyone there?');
    expect(last.headers['x-baton-for-reply']).toBe('true');
    // The bot still sees it, as an observer.
    expect(customerMessages(bot).at(-1)!.headers['x-baton-for-reply']).toBe('false');

    const refused = await post(bmproxy, JSON.stringify({ messages: { authentication: { productToken: BOT_TOKEN }, msg: [{ from: BUSINESS, to: [{ number: CUSTOMER }], body: { type: 'AUTO', content: 'I can help!' }, reference: 'late' }] } }));
    expect(refused.status).toBe(400);
    const details = `Rejected (component_disabled): Component CmBot is not enabled in conversation ${CHAT_ID}; the desk CustomerContact is in control. The message was not sent to the customer.`;
    expect(refused.text).toBe(fixture('bm-rejected', { to: CUSTOMER, reference: 'late', messageDetails: details }));
    expect((await events(CHAT_ID)).at(-1)).toMatchObject({ type: 'reply.refused', data: { componentId: 'CmBot', reason: 'component_disabled' } });

    const agent = await post(bmproxy, JSON.stringify({ messages: { authentication: { producttoken: DESK_TOKEN }, msg: [{ from: BUSINESS, to: [{ number: CUSTOMER }], body: { type: 'auto', content: 'Hi, Amy here.' } }] } }));
    expect(agent.status).toBe(200);
    await drain();
    expect(gateway.received.map((r) => r.json.messages.msg[0].body.content)).toEqual(['Hi, Amy here.']);
    expect((await conversation(CHAT_ID)).agentSession).toMatchObject({ status: 'queued', hadAgentReply: true });
    // The bot collates what the agent said.
    expect(notifications(bot).map((r) => [r.json.message.custom, r.json.message.text])).toEqual([[{ $type: 'messageSent', By: 'CustomerContact', AuthorKind: 'agent', AgentId: null }, 'Hi, Amy here.']]);
    void asDesk;
  });

  it('takes over from the desk and tells the bot; hands back with the document\'s position request, which the bot receives', async () => {
    const { bot, desk, control, drain, asDesk, customer, conversation, events } = await setup();
    await customer('hi', 'mo-1');
    await drain();
    const take = await post(`${control}/mutations`, docExample('takeover', CHAT_ID), asDesk);
    expect(take.status).toBe(200);
    expect(take.json).toMatchObject({ Controller: 'desk', Enabled: { CmBot: false, CustomerContact: true } });
    expect((await events(CHAT_ID)).map((e) => e.type)).toContain('takeover');
    await drain();
    const takeover = notifications(bot);
    expect(takeover.map((r) => r.body)).toEqual([fixture('notification-takeover', filled(takeover[0]!))]);
    expect(notifications(desk)).toEqual([]);

    const back = await post(`${control}/mutations`, docExample('handback', CHAT_ID), asDesk);
    expect(back.json).toMatchObject({ Controller: 'bot', ControlVersion: 3, Enabled: { CmBot: true } });
    const position = await post(`${control}/positionrequests`, docExample('positionrequest', CHAT_ID), asDesk);
    expect(position.status).toBe(200);
    await drain();
    const toBot = notifications(bot);
    expect(toBot.map((r) => r.body)).toEqual([
      fixture('notification-takeover', filled(toBot[0]!)),
      fixture('notification-handback', filled(toBot[1]!)),
      fixture('notification-positionrequest', filled(toBot[2]!)),
    ]);
    expect((await conversation(CHAT_ID))).toMatchObject({ controller: 'bot', position: { flow: 'chat_flow_you_want_to_continue', step: 'step_within_that_flow_you_want_to_continue' } });
    // The request is the bot's: the desk is not asked to move anywhere.
    expect(notifications(desk).map((r) => r.json.message.custom.$type)).toEqual([]);
  });

  it('routes a hand-over by its Context to the team configured with the exact value, else to the general queue with the full context', async () => {
    const { desk, control, drain, asBot, customer, conversation } = await setup();
    await customer('billing question', 'mo-1');
    // The document's context example carries a placeholder $type.
    const placeholder = await post(`${control}/mutations`, docExample('context', CHAT_ID), asBot);
    expect(placeholder.status).toBe(400);
    expect(placeholder.json.error).toMatchObject({ code: 'unknown_mutation_type', message: 'Mutations[0].$type "XXXX" is not a mutation: use enableComponent or disableComponent.' });

    const routed = await post(`${control}/mutations`, docExample('context', CHAT_ID).replace('"XXXX"', '"disableComponent"'), asBot);
    expect(routed.json).toMatchObject({ Controller: 'desk', Team: 'billing' });
    const conv = await conversation(CHAT_ID);
    expect(conv.context).toEqual({ Var1: 'Value1', Var2: 'Value2' });
    expect(conv.agentSession).toMatchObject({ team: 'billing', context: { Var1: 'Value1', Var2: 'Value2' } });
    await drain();
    const toDesk = notifications(desk);
    expect(toDesk.map((r) => r.body)).toEqual([fixture('notification-handover-context', filled(toDesk[0]!, { team: 'billing' }))]);

    // Exact match only: "value1" is not "Value1". No team: the general queue, the context still there.
    const other = '+31699999999';
    const { chatId } = await customer('another question', 'mo-2', other);
    const general = await post(`${control}/mutations`, JSON.stringify({ ChatId: chatId, Mutations: [{ $type: 'disableComponent', ComponentId: 'CmBot' }], Context: { Var1: 'value1', Topic: 'shoes' } }), asBot);
    expect(general.json).toMatchObject({ Controller: 'desk', Team: null });
    expect((await conversation(chatId)).agentSession).toMatchObject({ team: null, status: 'queued', context: { Var1: 'value1', Topic: 'shoes' } });
  });

  it('resets: every mutation is cancelled, the rule\'s defaults apply again, and the bot is told', async () => {
    const { bot, control, drain, asBot, asDesk, customer, conversation } = await setup();
    await customer('hi', 'mo-1');
    await post(`${control}/mutations`, docExample('mutations', CHAT_ID), asBot);
    expect((await conversation(CHAT_ID)).mutations).toEqual({ CmBot: false, CustomerContact: true });
    // "This request doesn't require a request body": none at all, or an empty one labelled JSON.
    const reset = await post(`${control}/${CHAT_ID}/reset`, undefined, asDesk);
    expect(reset.status).toBe(200);
    expect(reset.json).toEqual({ ChatId: CHAT_ID, Controller: 'bot', ControlVersion: 3, Enabled: { CmBot: true, CustomerContact: false }, Team: null });
    expect(await conversation(CHAT_ID)).toMatchObject({ mutations: {}, agentSession: { status: 'closed', closeReason: 'reset' } });
    const empty = await post(`${control}/${CHAT_ID}/reset`, '', { ...asDesk, 'content-type': 'application/json' });
    expect(empty.status).toBe(200);
    await drain();
    const resets = notifications(bot).filter((r) => r.json.message.custom.$type === 'reset');
    expect(resets.map((r) => r.body)).toEqual([fixture('notification-reset', filled(resets[0]!)), fixture('notification-reset', filled(resets[1]!))]);
  });

  it('reads the control API\'s keys without regard to case, and takes the account API key as an operator (a hand-over, on nobody\'s behalf)', async () => {
    const { control, customer, events } = await setup();
    await customer('hi', 'mo-1');
    const res = await post(`${control}/mutations`, JSON.stringify({ chatId: CHAT_ID, mutations: [{ $TYPE: 'disableComponent', componentId: 'CmBot' }] }), { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(200);
    expect((await events(CHAT_ID)).find((e) => e.type === 'handover')?.data).toMatchObject({ by: null, reason: 'bot' });
    // A retried call with the same Idempotency-Key is taken once.
    for (let i = 0; i < 2; i++) {
      expect((await post(`${control}/positionrequests`, docExample('positionrequest', CHAT_ID), { authorization: `Bearer ${KEY}`, 'idempotency-key': 'pos-1' })).status).toBe(200);
    }
    expect((await events(CHAT_ID)).filter((e) => e.type === 'position.requested')).toHaveLength(1);
  });

  it('counts only 200 OK as received by a cm component', async () => {
    const { bot, s, drain, customer } = await setup();
    bot.behave(() => ({ status: 204 }));
    await customer('hi', 'mo-1');
    await drain();
    const pending = (await s.call('GET', '/v1/deliveries?state=pending&targetId=CmBot')).body.items;
    expect(pending).toHaveLength(1);
    const attempt = (await s.call('GET', `/v1/deliveries/${pending[0].id}`)).body.delivery.attemptLog[0];
    expect(attempt).toMatchObject({ outcome: 'failed', statusCode: 204, error: 'the webhook answered HTTP 204; only 200 OK counts as received' });
    // Verification is an empty MO that says so, and wants 200 OK too.
    const failed = await s.call('POST', '/v1/components/CmBot/verify');
    expect([failed.status, failed.body.error.code, failed.body.error.details.reason]).toEqual([409, 'verification_failed', 'the webhook answered HTTP 204; only 200 OK counts as received']);
    bot.behave(() => ({ status: 200 }));
    expect((await s.call('POST', '/v1/components/CmBot/verify')).body).toMatchObject({ verified: true });
    expect(bot.received.at(-1)!.json).toMatchObject({ from: { number: null }, message: { text: null, custom: { $type: 'verification' } }, conversationalRouter: { chatId: null, accountId: ACCOUNT } });
  });

  it('answers every faulty control call with its own clear 4xx and changes nothing', async () => {
    const { control, asBot, customer, events } = await setup();
    await customer('hi', 'mo-1');
    const before = (await events(CHAT_ID)).length;
    const call = (path: string, body: unknown, headers: Record<string, string> = asBot) => post(`${control}/${path}`, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), headers);
    const cases: [string, Awaited<ReturnType<typeof call>>, number, string, string][] = [
      ['no credentials', await call('mutations', docExample('handover', CHAT_ID), {}), 401, 'unauthorized', 'Send X-CM-ProductToken'],
      ['a wrong product token', await call('mutations', docExample('handover', CHAT_ID), { 'x-cm-producttoken': 'not-a-token' }), 401, 'unauthorized', 'is not the secrets.productToken of any cm component'],
      ['another account\'s API key', await call('mutations', docExample('handover', CHAT_ID), { authorization: `Bearer ${OTHER_KEY}` }), 401, 'unauthorized', `does not belong to account ${ACCOUNT}`],
      ['an unknown $type', await call('mutations', docExample('context', CHAT_ID)), 400, 'unknown_mutation_type', '"XXXX" is not a mutation'],
      ['an unknown ComponentId', await call('mutations', { ChatId: CHAT_ID, Mutations: [{ $type: 'disableComponent', ComponentId: 'CmBott' }] }), 404, 'component_not_found', 'Mutations[0].ComponentId "CmBott" is not a component of account'],
      ['an unknown ChatId', await call('mutations', docExample('handover', SWAPPED_CHAT_ID)), 404, 'conversation_not_found', SWAPPED_CHAT_ID],
      ['the document\'s placeholder ChatId', await call('mutations', fixtureText('handover')), 400, 'validation_failed', 'body.ChatId'],
      ['no ChatId', await call('mutations', { Mutations: [{ $type: 'disableComponent', ComponentId: 'CmBot' }] }), 400, 'validation_failed', 'body.ChatId is required'],
      ['no Mutations', await call('mutations', { ChatId: CHAT_ID }), 400, 'validation_failed', 'body.Mutations is required'],
      ['no mutation', await call('mutations', { ChatId: CHAT_ID, Mutations: [] }), 400, 'validation_failed', 'body.Mutations'],
      ['a mutation without ComponentId', await call('mutations', { ChatId: CHAT_ID, Mutations: [{ $type: 'disableComponent' }] }), 400, 'validation_failed', 'body.Mutations.0.ComponentId is required'],
      ['a position request without FlowId', await call('positionrequests', { ChatId: CHAT_ID, StepId: 's' }), 400, 'validation_failed', 'body.FlowId is required'],
      ['a position request without StepId', await call('positionrequests', { ChatId: CHAT_ID, FlowId: 'f' }), 400, 'validation_failed', 'body.StepId is required'],
      ['a position request for an unknown chat', await call('positionrequests', docExample('positionrequest', SWAPPED_CHAT_ID)), 404, 'conversation_not_found', SWAPPED_CHAT_ID],
      ['a reset of an unknown chat', await call(`${SWAPPED_CHAT_ID}/reset`, undefined), 404, 'conversation_not_found', SWAPPED_CHAT_ID],
      ['a reset of something that is no chatId', await call('not-a-chat/reset', undefined), 400, 'validation_failed', 'params.chatId'],
      ['a body that is no JSON', await call('mutations', '{"ChatId": '), 400, 'invalid_json', 'not valid JSON'],
      ['a broken body without credentials', await call('mutations', '{"ChatId": ', {}), 401, 'unauthorized', 'Send X-CM-ProductToken'],
    ];
    for (const [what, res, status, code, words] of cases) {
      expect([what, res.status, res.json?.error?.code]).toEqual([what, status, code]);
      expect(res.json.error.message, what).toContain(words);
    }
    expect((await events(CHAT_ID)).length).toBe(before);
  });

  it('answers faulty BMProxy requests as the Business Messaging API does', async () => {
    const { gateway, bmproxy, drain, customer } = await setup();
    await customer('hi', 'mo-1');
    const send = (body: unknown) => post(`${bmproxy}/v1.0/message`, typeof body === 'string' ? body : JSON.stringify(body));
    const msg = (over: Record<string, unknown> = {}) => ({ from: BUSINESS, to: [{ number: CUSTOMER }], body: { type: 'auto', content: 'hi' }, reference: 'r', ...over });

    const badToken = await send({ messages: { authentication: { producttoken: DESK_TOKEN.replace('7', '8') }, msg: [msg()] } });
    expect([badToken.status, badToken.text]).toEqual([400, fixture('bm-bad-token')]);
    const noToken = await send({ messages: { msg: [msg()] } });
    expect([noToken.status, noToken.json.errorCode]).toEqual([400, 101]);
    const otherAccount = await post(`${bmproxy.replace(ACCOUNT, 'other')}/v1.0/message`, JSON.stringify({ messages: { authentication: { producttoken: BOT_TOKEN }, msg: [msg()] } }));
    expect([otherAccount.status, otherAccount.json.errorCode]).toEqual([400, 101]);
    const malformed = await send({ message: {} });
    expect([malformed.status, malformed.json.errorCode, malformed.json.messages]).toEqual([400, 202, []]);
    const notJson = await send('{"messages": ');
    expect([notJson.status, notJson.json.errorCode]).toEqual([400, 202]);
    const noMsg = await send({ messages: { authentication: { producttoken: BOT_TOKEN }, msg: [] } });
    expect([noMsg.status, noMsg.json.errorCode]).toEqual([400, 203]);

    // Per message: the good one goes, each bad one is refused with the gateway's own code and a reason.
    const mixed = await send({ messages: { authentication: { producttoken: BOT_TOKEN }, msg: [
      msg({ reference: 'ok' }),
      msg({ from: undefined, reference: 'no-from' }),
      msg({ to: [], reference: 'no-to' }),
      msg({ body: { type: 'auto', content: '' }, reference: 'no-body' }),
      msg({ from: '+3197000000000', reference: 'no-chat' }),
    ] } });
    expect(mixed.status).toBe(200);
    expect(mixed.json.details).toBe('Created 1 message(s)');
    expect(mixed.json.errorCode).toBe(201);
    expect(mixed.json.messages.map((m: any) => [m.reference, m.status, m.messageErrorCode])).toEqual([
      ['ok', 'Accepted', 0], ['no-from', 'Rejected', 301], ['no-to', 'Rejected', 302], ['no-body', 'Rejected', 304], ['no-chat', 'Rejected', 302],
    ]);
    expect(mixed.json.messages[4].messageDetails).toContain(`No chat between ${CUSTOMER} and +3197000000000 that component CmBot takes part in, and no cm channel of this account sends from +3197000000000`);
    await drain();
    expect(gateway.received).toHaveLength(1);
  });

  it('guards a cm channel\'s MO webhook: unknown or non-cm channels, a missing token, a body without a sender', async () => {
    const { s, moUrl, bot, drain } = await setup();
    const unknown = await post(moUrl.replace('/whatsapp/', '/nope/'), mo());
    expect([unknown.status, unknown.json.error.code]).toEqual([404, 'channel_not_found']);
    const native = await post(moUrl.replace('/whatsapp/', '/api/'), mo());
    expect([native.status, native.json.error.code]).toEqual([404, 'channel_not_found']);
    const guarded = moUrl.replace('/whatsapp/', '/guarded/');
    const open = await post(guarded, mo());
    expect([open.status, open.json.error.code, open.json.error.message]).toEqual([401, 'unauthorized', 'Channel guarded takes MOs only with ?token=<its credentials.inboundToken> in the webhook URL.']);
    expect((await post(`${guarded}?token=wrong`, mo())).status).toBe(401);
    expect((await post(`${guarded}?token=guard-token-1`, mo({ reference: 'g-1' }))).status).toBe(200);
    const noSender = await post(moUrl, JSON.stringify({ to: { number: BUSINESS }, message: { text: 'hi' } }));
    expect([noSender.status, noSender.json.error.code, noSender.json.error.message]).toEqual([400, 'validation_failed', 'The request is not valid: body.from is required.']);
    await drain();
    expect(bot.received).toHaveLength(1);
    void s;
  });
});
