import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { API_KEY, APP, basic, KEYS, suncoConfig, WEBHOOK_SECRETS } from '../helpers/sunco-setup.js';
import { startExampleBot } from '../helpers/example-bot.js';
import { freePort, until } from '../helpers/waiting.js';

const BOT = new URL('../../examples/sunco-bot/bot.mjs', import.meta.url).pathname;

describe.each(['sqlite', 'postgres'] as const)('the example Sunshine Conversations bot, as a real process (%s)', (engine) => {
  let s: TestServer;
  let bot: ChildProcess;
  let botUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    botUrl = `http://127.0.0.1:${port}`;
    // The bot's webhooks go to `${url}/bot`; the human integration is played by the test through the API.
    s = await startServer(engine, suncoConfig(botUrl, { humanWebhooks: false }), { apiKey: API_KEY, dispatch: true });
    bot = await startExampleBot(BOT, port, { SUNCO_SERVER: s.url, APP_ID: APP, KEY_ID: KEYS.bot.id, KEY_SECRET: KEYS.bot.secret, WEBHOOK_SECRET: WEBHOOK_SECRETS.bot, OFFER_SECONDS: '1' });
  }, 30_000);

  afterAll(async () => {
    bot?.kill('SIGTERM');
    await s?.close();
  });

  const say = (text: string) => s.call('POST', '/v1/channels/api/messages', { customer: '912382197', text });
  const human = (path: string, body?: unknown) => s.call('POST', `/v2/apps/${APP}${path}`, body, { authorization: basic(KEYS.human) });
  const botTexts = async (id: string): Promise<string[]> => (await s.call('GET', `/v1/conversations/${id}/messages`)).body.items.filter((m: any) => m.author.id === 'bot').map((m: any) => m.content.text);
  const botSaid = async (id: string, text: string) => (await botTexts(id)).includes(text);
  const active = async (id: string) => (await s.call('GET', `/v2/apps/${APP}/conversations/${id}`, undefined, { authorization: basic(KEYS.human) })).body.conversation;

  it('answers, offers control to the next integration, says so when nobody accepts in time, and greets the customer when control comes back', async () => {
    const first = await say('hi');
    const id: string = first.body.conversation.id;
    await until('the bot\'s answer', () => botSaid(id, 'Hello! You said: hi'));

    // Asked for a person: an offer with a deadline; nobody accepts, so it stays with the bot.
    await say('a person please');
    await until('the offer to the human integration', async () => (await active(id)).pendingSwitchboardIntegration?.name === 'human');
    await until('the offer\'s deadline', async () => (await s.baton.router.runDueTimers()) === 1);
    await until('the bot telling nobody is free', () => botSaid(id, 'Nobody is free right now; I am still here.'));
    expect((await active(id)).activeSwitchboardIntegration.name).toBe('bot');

    // Again, and this time the human integration accepts, answers and passes control back.
    await say('an agent now');
    await until('a second offer', async () => (await active(id)).pendingSwitchboardIntegration?.name === 'human');
    expect((await human(`/conversations/${id}/acceptControl`, {})).status).toBe(200);
    expect((await human(`/conversations/${id}/messages`, { author: { type: 'business' }, content: { type: 'text', text: 'Alice here.' } })).status).toBe(201);
    const before = (await botTexts(id)).length;
    await say('thanks alice');
    expect((await human(`/conversations/${id}/passControl`, { switchboardIntegration: 'next' })).status).toBe(200);
    await until('the bot greeting the customer again', () => botSaid(id, 'I am back. Anything else?'));
    // While the human held it, the bot (no standby events) answered nothing.
    expect((await botTexts(id)).slice(before)).toEqual(['I am back. Anything else?']);
    const transcript = (await (await fetch(`${botUrl}/transcript`)).json()) as any[];
    expect(transcript.map((e) => e.type)).toContain('switchboard:offerControl:failure');
    expect(transcript.find((e) => e.type === 'switchboard:offerControl').payload.metadata).toEqual({ reason: 'customer asked for a person' });
  }, 60_000);
});
