import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ccspConversationId } from '../../src/dialects/imi/imi-ccsp-id.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'telco-key-0000000000001';
const VT = 'vt-5e1f0c2a';
const AT = '2026-05-04T10:20:30.456Z';

/** A seed fixture as the exact bytes Baton must send: the document's keys, in its order. */
function fixture(name: string, values: Record<string, string> = {}): string {
  const text = readFileSync(new URL(`../fixtures/imi/${name}.json`, import.meta.url), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, k: string) => {
    if (!(k in values)) throw new Error(`fixture ${name} needs ${k}`);
    return values[k]!;
  });
  return JSON.stringify(JSON.parse(text));
}

function config(bot: Receiver, desk: Receiver, channel: Receiver, kind: 'generic' | 'imi-bot' = 'generic') {
  return {
    accounts: [{
      id: 'telco',
      apiKeys: [KEY],
      teams: [{ id: 'billing', values: ['billing'] }],
      channels: [{ id: 'fb', kind: 'native', outboundUrl: `${channel.url}/out`, imiChannel: 'FB' }, { id: 'web', kind: 'native', outboundUrl: `${channel.url}/web` }],
      components: [
        { id: 'imibot', kind: 'bot', dialect: 'imi', url: `${bot.url}/hook`, secrets: kind === 'generic' ? { verificationToken: VT } : { accessToken: 'bot-access-token' }, options: { kind } },
        { id: 'ccsp', kind: 'desk', url: `${desk.url}/ccsp` },
        { id: 'general', kind: 'desk', url: `${desk.url}/general` },
      ],
      defaultDesk: 'general',
      services: [{
        id: 'care',
        channels: ['fb', 'web'],
        rules: [
          { id: 'to-bot', trigger: { event: 'message', channels: ['fb', 'web'] }, action: { type: 'bot', bot: 'imibot' } },
          { id: 'billing-handover', trigger: { event: 'handover', conditions: { context: { customparam1: 'billing' } } }, action: { type: 'desk', desk: 'ccsp', team: 'billing' } },
        ],
      }],
    }],
  };
}

describe.each(['sqlite', 'postgres'] as const)('IMIconnect / Webex Connect bots on %s', (engine) => {
  let s: TestServer | undefined;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function setup(kind: 'generic' | 'imi-bot' = 'generic') {
    const bot = await startReceiver(() => ({ status: 200, body: JSON.stringify({ verificationToken: VT }) }));
    const desk = await startReceiver();
    const channel = await startReceiver();
    receivers.push(bot, desk, channel);
    const clock = new ManualClock(AT);
    s = await startServer(engine, config(bot, desk, channel, kind), { clock, apiKey: KEY });
    // "Click Verify and then Save": a generic bot is asked before anything is sent to it.
    expect(bot.received.splice(0).map((r) => r.json.Event)).toEqual(kind === 'generic' ? ['Verification'] : []);
    expect((await s.call('GET', '/v1/components/imibot/health')).body.health.state).toBe('active');
    const webhook = (await s.call('GET', '/v1/components')).body.items.find((c: any) => c.id === 'imibot').inboundUrl as string;
    const post = async (body: string) => {
      const res = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: res.status, body: (await res.json()) as any };
    };
    const customer = (payload: Record<string, unknown>) => s!.call('POST', '/v1/channels/fb/messages', { customer: '+919800000001', ...payload });
    return { bot, desk, channel, clock, s, webhook, post, customer };
  }

  it('sends the documented Incoming message and FB POSTBACK events, byte for byte', async () => {
    const { bot, s, customer } = await setup();
    const first = await customer({ text: 'I want to change my plan' });
    await customer({ content: { type: 'postback', postback: { payload: 'PAYLOAD VALUE', title: 'Change plan' } } });
    await s.baton.dispatcher.drain();
    const botSessionId = first.body.conversation.botSession.id;
    expect(bot.received.map((r) => r.body)).toEqual([
      fixture('incoming-message', { botSessionId, messageId: first.body.message.id }),
      fixture('fb-postback', { botSessionId }),
    ]);
    expect(bot.received[0]!.path).toBe('/hook');
  });

  it('names the channel as IMI does when the channel says how (imiChannel: FB), else by its Baton id', async () => {
    const { bot, s } = await setup();
    await s.call('POST', '/v1/channels/fb/messages', { customer: '+919800000001', text: 'on messenger' });
    await s.call('POST', '/v1/channels/web/messages', { customer: '+919800000001', text: 'on the web' });
    await s.baton.dispatcher.drain();
    // two conversations: their deliveries may arrive in either order
    expect(bot.received.map((r) => [r.json.Message, r.json.Channel]).sort()).toEqual([['on messenger', 'FB'], ['on the web', 'web']]);
  });

  it('takes the bot reply at the generated webhook URL, sends it to the channel and reports Message Delivery', async () => {
    const { bot, channel, s, webhook, post, customer } = await setup();
    const first = await customer({ text: 'I want to change my plan' });
    const botSessionId = first.body.conversation.botSession.id;
    expect(webhook).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/imi\/webhook\/[\w-]{20,}$/);
    const reply = await post(fixture('bot-reply', { botSessionId }));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'accepted', Conversationid: botSessionId });
    await s.baton.dispatcher.drain();
    expect(channel.received.map((r) => r.json.message.content.text)).toEqual(['Sure, which plan would you like?']);
    await s.baton.dispatcher.drain();
    expect(bot.received.at(-1)!.body).toBe(fixture('message-delivery-delivered', { botSessionId, messageId: reply.body.Messageid }));
  });

  it('reports a message the channel never took as Message Delivery Failed with its description', async () => {
    const { bot, channel, clock, s, post, customer } = await setup();
    channel.behave(() => ({ status: 500, body: 'gateway down' }));
    const first = await customer({ text: 'hello' });
    const botSessionId = first.body.conversation.botSession.id;
    const reply = await post(fixture('bot-reply', { botSessionId }));
    for (let i = 0; i < 10; i++) {
      await s.baton.dispatcher.drain();
      clock.advance(11 * 3_600_000);
    }
    const last = bot.received.at(-1)!;
    expect(last.json).toMatchObject({ Event: 'Message Delivery', DeliveryStatus: 'Failed', Messageid: reply.body.Messageid });
    expect(last.body).toBe(fixture('message-delivery-failed', { botSessionId, messageId: reply.body.Messageid, description: last.json.Description, timestamp: last.json.Timestamp }));
    expect(last.json.Description).toContain('gateway down');
    // stamped when the channel finally gave up, in the documented format
    expect(last.json.Timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{2}$/);
    expect(last.json.Timestamp).not.toBe('2026-05-04 10:20:30.45');
  });

  it('hands over on eventid 1001: custom params become the context the handover rule routes on; the bot keeps seeing everything as CCSP', async () => {
    const { bot, desk, s, post, customer } = await setup();
    const first = await customer({ text: 'I want to change my plan' });
    const id = first.body.conversation.id;
    const botSessionId = first.body.conversation.botSession.id;
    const handover = await post(fixture('handover-1001', { botSessionId }));
    expect(handover.status).toBe(200);
    expect(handover.body.status).toBe('accepted');
    const conv = (await s.call('GET', `/v1/conversations/${id}`)).body.conversation;
    expect(conv).toMatchObject({ controller: 'desk', desk: 'ccsp', team: 'billing' });
    expect(conv.agentSession).toMatchObject({ note: 'Customer asks for a plan the bot cannot sell', context: { customparam1: 'billing', customparamN: 'premium' } });
    // the CCSP conversation id is this handover's: derived from the agent session and the handover event
    const handoverEvent = (await s.call('GET', `/v1/conversations/${id}/events`)).body.items.find((e: any) => e.type === 'handover');
    expect(handover.body).toEqual({ status: 'accepted', Conversationid: botSessionId, CCSPConversationid: ccspConversationId(conv.agentSession.id, handoverEvent.seq) });

    await customer({ text: 'hello? anyone?' });
    await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'ccsp', authorKind: 'agent', agentId: 'amy', text: 'Hi, Amy from billing here.' });
    await s.baton.dispatcher.drain();
    const deskTypes = desk.received.filter((r) => r.path === '/ccsp').map((r) => `${r.json.type}${r.json.forReply ? '*' : ''}`);
    // The desk's answer took the conversation for Amy: the desk hears of it like any other take.
    expect(deskTypes).toEqual(['handover', 'message.received*', 'agent_session.assigned', 'message.status']);
    const toBot = bot.received.slice(1).map((r) => [r.json.Event, r.json.ConversationType, r.json.Conversationid, r.json.Message]);
    expect(toBot).toEqual([
      ['Incoming message', 'CCSP', botSessionId, 'hello? anyone?'],
      ['Agent Response', 'CCSP', botSessionId, 'Hi, Amy from billing here.'],
    ]);

    // the bot may not answer while the humans have it
    const refused = await post(fixture('bot-reply', { botSessionId }));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('component_disabled');
  });

  it('never gives a CCSP conversation id again once the agent closed it, though the customer came back within the inclusion delay', async () => {
    const { clock, s, post, customer } = await setup();
    const first = await customer({ text: 'I want to change my plan' });
    const id = first.body.conversation.id;
    const botSessionId = first.body.conversation.botSession.id;
    const ccsp: string[] = [];
    const agentSessions: string[] = [];
    for (let round = 1; round <= 3; round++) {
      const handover = await post(fixture('handover-1001', { botSessionId }));
      expect(handover.status).toBe(200);
      ccsp.push(handover.body.CCSPConversationid);
      agentSessions.push((await s.call('GET', `/v1/conversations/${id}`)).body.conversation.agentSession.id);
      expect((await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'ccsp', authorKind: 'agent', agentId: 'amy', text: `round ${round}` })).status).toBe(201);
      expect((await s.call('POST', `/v1/conversations/${id}/close`, { scope: 'agent_session', agentId: 'amy' })).status).toBe(200);
      expect((await s.call('POST', `/v1/conversations/${id}/handback`, { by: 'ccsp' })).body.conversation.controller).toBe('bot');
      clock.advance(10 * 60_000);
      // Back within the delay, with the bot in control: the bot answers, nothing of the humans reopens.
      const back = await customer({ text: `back again ${round}` });
      expect(back.body.events.map((e: any) => e.type)).not.toContain('agent_session.reopened');
      expect(back.body.conversation.botSession.id).toBe(botSessionId);
    }
    // The bot's CCSP conversation is new at every handover, and so is Baton's agent session.
    expect(new Set(ccsp).size).toBe(3);
    expect(new Set(agentSessions).size).toBe(3);
    for (const a of agentSessions) expect(ccsp).not.toContain(a);
    for (const c of ccsp) expect(c).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sends a handover without a matching rule to the default desk, and accepts the key-name form', async () => {
    const { s, post, customer } = await setup();
    const first = await customer({ text: 'talk to a person' });
    const res = await post(fixture('handover-by-name', { botSessionId: first.body.conversation.botSession.id }));
    expect(res.status).toBe(200);
    const conv = (await s.call('GET', `/v1/conversations/${first.body.conversation.id}`)).body.conversation;
    expect(conv).toMatchObject({ controller: 'desk', desk: 'general', team: null });
    expect(conv.agentSession.note).toBe('needs a human');
  });

  it('closes the BOT conversation on eventid 1002: the next customer message gets a new Conversationid', async () => {
    const { bot, s, post, customer } = await setup();
    const first = await customer({ text: 'thanks, that is all' });
    const old = first.body.conversation.botSession.id;
    expect((await post(fixture('close-1002', { botSessionId: old }))).status).toBe(200);
    const next = await customer({ text: 'one more question' });
    const fresh = next.body.conversation.botSession.id;
    expect(fresh).not.toBe(old);
    await s.baton.dispatcher.drain();
    expect(bot.received.map((r) => r.json.Conversationid)).toEqual([old, fresh]);
    const stale = await post(fixture('bot-reply', { botSessionId: old }));
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('invalid_transition');
  });

  it('counts a generic bot\'s 2xx without the verification token as a failed attempt', async () => {
    const { bot, s, customer } = await setup();
    bot.behave(() => ({ status: 200, body: '{"ok":true}' }));
    await customer({ text: 'hello' });
    await s.baton.dispatcher.drain();
    const pending = (await s.call('GET', '/v1/deliveries?state=pending&targetId=imibot')).body.items;
    expect(pending).toHaveLength(1);
    const attempt = (await s.call('GET', `/v1/deliveries/${pending[0].id}`)).body.delivery.attemptLog[0];
    expect(attempt).toMatchObject({ outcome: 'failed', statusCode: 200, error: expect.stringMatching(/^the answer does not carry the verification token \(/) });
  });

  it('takes the verification token only whole: the body, a verificationToken field or the X-Verification-Token header, never a substring', async () => {
    const { bot, s } = await setup();
    const verify = async (answer: { body: string; headers?: Record<string, string> }) => {
      bot.behave(() => ({ status: 200, ...answer }));
      const res = await s.call('POST', '/v1/components/imibot/verify');
      return res.status === 200 ? 'verified' : `${res.status} ${res.body.error.code}`;
    };
    const passes = [
      { body: JSON.stringify({ verificationToken: VT }) },
      { body: JSON.stringify({ Conversationid: 'c-1', verification_token: VT }) },
      { body: VT },
      { body: `${VT}\n` },
      { body: JSON.stringify(VT) },
      { body: '{}', headers: { 'x-verification-token': VT } },
    ];
    const fails = [
      { body: JSON.stringify({ error: `unknown token ${VT}` }) },
      { body: `<html>${VT}</html>` },
      { body: JSON.stringify({ verificationToken: `${VT}x` }) },
      { body: JSON.stringify({ data: { verificationToken: VT } }) },
      { body: JSON.stringify([VT]) },
      { body: '{}', headers: { 'x-verification-token': `${VT}, other` } },
    ];
    for (const p of passes) expect([p, await verify(p)]).toEqual([p, 'verified']);
    for (const f of fails) expect([f, await verify(f)]).toEqual([f, '409 verification_failed']);
  });

  it('sends the IMI bot\'s access token on every request', async () => {
    const { bot, s, customer } = await setup('imi-bot');
    bot.behave(() => ({ status: 200, body: '{}' }));
    await customer({ text: 'hello' });
    await s.baton.dispatcher.drain();
    expect(bot.received).toHaveLength(1);
    expect(bot.received[0]!.headers.authorization).toBe('Bearer bot-access-token');
  });

  it('follows the documented retry policy by default: 4 retries over one hour, inactive after the 5th failure, reactivated by verification', async () => {
    const { bot, clock, s, customer } = await setup();
    const start = clock.now().getTime();
    const at: number[] = [];
    bot.behave((r) => {
      if (r.json.Event === 'Verification') return { status: 200, body: JSON.stringify({ verificationToken: VT }) };
      at.push(clock.now().getTime() - start);
      return { status: 500 };
    });
    await customer({ text: 'hello' });
    for (const minutes of [0, 1, 5, 15, 39, 60]) {
      clock.advance(minutes * 60_000);
      await s.baton.dispatcher.drain();
    }
    expect(at.map((ms) => ms / 60_000)).toEqual([0, 1, 6, 21, 60]);
    expect((await s.call('GET', '/v1/components/imibot/health')).body.health).toMatchObject({ state: 'inactive', consecutiveFailures: 5 });
    bot.behave((r) => ({ status: 200, body: JSON.stringify({ verificationToken: VT, echo: r.json.Event }) }));
    expect((await s.call('POST', '/v1/components/imibot/verify')).status).toBe(200);
    await s.baton.dispatcher.drain();
    expect(bot.received.at(-1)!.json).toMatchObject({ Event: 'Incoming message', Message: 'hello' });
  });

  it('answers unknown webhook URLs with 404 and bad bodies with a clear 400, changing nothing', async () => {
    const { s, webhook, post, customer } = await setup();
    const bad = await fetch(webhook.replace(/[^/]+$/, 'not-a-real-token'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(404);
    expect(((await bad.json()) as any).error.message).toContain('No IMI integration');
    const first = await customer({ text: 'hi' });
    const before = (await s.call('GET', `/v1/conversations/${first.body.conversation.id}/events`)).body.items.length;
    expect((await post('{"Message": "no id"}')).body.error.code).toBe('validation_failed');
    expect((await post(`{"Conversationid": "${first.body.conversation.botSession.id}", "eventid": "1003"}`)).body.error.message).toContain('Unknown event');
    expect((await post('{"Conversationid": "nope", "Message": "x"}')).status).toBe(404);
    expect((await post('{"Conversationid": ')).status).toBe(400);
    expect((await s.call('GET', `/v1/conversations/${first.body.conversation.id}/events`)).body.items.length).toBe(before);
  });
});
