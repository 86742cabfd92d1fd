import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startExampleBot } from '../helpers/example-bot.js';
import { freePort, until } from '../helpers/waiting.js';

const KEY = 'imi-example-key-000000001';
const TOKEN = 'imi-example-inbound-token-0001';
const BOT = new URL('../../examples/imi-bot/bot.mjs', import.meta.url).pathname;

describe('the example IMI bot, as a real process, through a whole conversation', () => {
  let s: TestServer;
  let bot: ChildProcess;
  let botUrl: string;
  let channel: Receiver;
  let desk: Receiver;

  beforeAll(async () => {
    channel = await startReceiver();
    desk = await startReceiver();
    const port = await freePort();
    botUrl = `http://127.0.0.1:${port}`;
    s = await startServer('sqlite', {
      accounts: [{
        id: 'telco',
        apiKeys: [KEY],
        teams: [{ id: 'billing', values: ['billing'] }],
        channels: [{ id: 'wa', kind: 'native', outboundUrl: `${channel.url}/out` }],
        components: [
          { id: 'imibot', kind: 'bot', dialect: 'imi', url: `${botUrl}/events`, secrets: { verificationToken: 'example-vt', inboundToken: TOKEN } },
          { id: 'ccsp', kind: 'desk', url: `${desk.url}/ccsp` },
        ],
        services: [{ id: 'care', channels: ['wa'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'imibot', desk: 'ccsp' } }] }],
        defaultDesk: 'ccsp',
      }],
    }, { apiKey: KEY, dispatch: true });
    bot = await startExampleBot(BOT, port, { BATON_WEBHOOK_URL: `${s.url}/imi/webhook/${TOKEN}`, VERIFICATION_TOKEN: 'example-vt' });
    // The bot came up after Baton, whose verification at start found nobody: "Click Verify and then Save".
    expect((await s.call('GET', '/v1/components/imibot/health')).body.health.state).toBe('unverified');
    expect((await s.call('POST', '/v1/components/imibot/verify')).body).toMatchObject({ verified: true, health: { state: 'active' } });
  });

  afterAll(async () => {
    bot?.kill('SIGTERM');
    await s?.close();
    await channel?.close();
    await desk?.close();
  });

  const transcript = async (): Promise<any[]> => (await fetch(`${botUrl}/transcript`)).json() as Promise<any[]>;
  const say = (text: string) => s.call('POST', '/v1/channels/wa/messages', { customer: '+919800000042', text });
  const toCustomer = () => channel.received.map((r) => r.json.message.content.text as string);

  it('greets, hands over with context, mirrors the desk to the bot, takes the conversation back and closes it', async () => {
    const first = await say('hi');
    const id = first.body.conversation.id;
    const firstBotConversation = first.body.conversation.botSession.id;
    await until('the bot greeting', async () => toCustomer().some((t) => t.startsWith('Hello! You said: hi')));

    await say('I need a human about my bill');
    const handed = await until('the handover', async () => {
      const c = (await s.call('GET', `/v1/conversations/${id}`)).body.conversation;
      return c.controller === 'desk' && c;
    });
    expect(handed).toMatchObject({ desk: 'ccsp', team: 'billing' });
    expect(handed.agentSession.context).toMatchObject({ customparam1: 'billing' });
    expect(handed.agentSession.note).toContain('I need a human about my bill');
    expect(toCustomer()).toContain('Let me get you a colleague.');

    await say('are you there?');
    await until('the desk to get the message for reply', async () => desk.received.some((r) => r.json.type === 'message.received' && r.json.forReply && r.json.message.content.text === 'are you there?'));
    const agentReply = await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'ccsp', authorKind: 'agent', agentId: 'amy', text: 'Amy here, let me look.' });
    expect(agentReply.status).toBe(201);
    await until('the agent reply at the customer', async () => toCustomer().includes('Amy here, let me look.'));
    const mirrored = await until('the bot to collate both', async () => {
      const t = await transcript();
      return t.some((e) => e.Event === 'Agent Response') && t;
    });
    expect(mirrored.filter((e) => e.ConversationType === 'CCSP').map((e) => [e.Event, e.Message])).toEqual([
      ['Incoming message', 'are you there?'],
      ['Agent Response', 'Amy here, let me look.'],
    ]);
    // the bot did not answer what it only observed
    expect(toCustomer().filter((t) => t.includes('are you there?'))).toEqual([]);

    await s.call('POST', `/v1/conversations/${id}/close`, { scope: 'agent_session', agentId: 'amy' });
    const back = await s.call('POST', `/v1/conversations/${id}/handback`, { by: 'ccsp' });
    expect(back.body.conversation.controller).toBe('bot');

    await say('ok bye');
    await until('the goodbye', async () => toCustomer().includes('Goodbye!'));
    await until('the bot conversation to close', async () => (await s.call('GET', `/v1/conversations/${id}`)).body.conversation.botSession === null);
    const again = await say('hello again');
    expect(again.body.conversation.botSession.id).not.toBe(firstBotConversation);
    await until('the new conversation id at the bot', async () => (await transcript()).some((e) => e.Message === 'hello again' && e.Conversationid === again.body.conversation.botSession.id));
  }, 30_000);
});
