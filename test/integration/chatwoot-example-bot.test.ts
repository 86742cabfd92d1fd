import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatwootConfig, CW } from '../helpers/chatwoot-setup.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startExampleBot } from '../helpers/example-bot.js';
import { freePort, until } from '../helpers/waiting.js';

const BOT = new URL('../../examples/chatwoot-bot/bot.mjs', import.meta.url).pathname;

describe.each(['sqlite', 'postgres'] as const)('the example Chatwoot agent bot, as a real process (%s)', (engine) => {
  let s: TestServer;
  let bot: ChildProcess;
  let botUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    botUrl = `http://127.0.0.1:${port}`;
    s = await startServer(engine, chatwootConfig(`${botUrl}/chatwoot`), { apiKey: CW.apiKey, dispatch: true });
    bot = await startExampleBot(BOT, port, { CHATWOOT_URL: s.url, CHATWOOT_BOT_TOKEN: CW.token, CHATWOOT_BOT_SECRET: CW.secret });
  }, 30_000);

  afterAll(async () => {
    bot?.kill('SIGTERM');
    await s?.close();
  });

  const say = (text: string) => s.call('POST', `/v1/channels/${CW.channel}/messages`, { customer: CW.customer, text });
  const messages = async (id: string): Promise<[string | null, string][]> => (await s.call('GET', `/v1/conversations/${id}/messages`)).body.items.map((m: any) => [m.author.id, m.content.text]);
  const botSaid = async (id: string, text: string) => (await messages(id)).some(([who, t]) => who === 'cwbot' && t.startsWith(text));
  const transcript = async () => (await fetch(`${botUrl}/transcript`)).json() as Promise<{ transcript: any[]; refused: unknown[] }>;

  it('answers, offers a menu, hands over with a note, stays quiet with the agents, and greets the contact when it is handed back', async () => {
    const first = await say('hi');
    const id = first.body.conversation.id;
    await until('the bot greeting', () => botSaid(id, 'Hello! You said: hi'));

    await say('menu please');
    await until('the menu', () => botSaid(id, 'What can I do for you?'));
    const menu = (await s.call('GET', `/v1/conversations/${id}/messages`)).body.items.find((m: any) => m.content.text === 'What can I do for you?');
    expect(menu.content.buttons).toEqual([{ title: 'Opening hours', payload: 'hours' }, { title: 'Talk to a person', payload: 'human' }]);
    await s.call('POST', `/v1/channels/${CW.channel}/messages`, { customer: CW.customer, content: { type: 'postback', postback: { payload: 'hours', title: 'Opening hours' } } });
    await until('the opening hours', () => botSaid(id, 'We are open 9:00-17:00'));

    await say('I want a human');
    await until('the handover', async () => (await s.call('GET', `/v1/conversations/${id}`)).body.conversation.controller === 'desk');
    expect(await botSaid(id, 'Connecting you to an agent.')).toBe(true);
    const notes = await s.baton.store.kysely.selectFrom('events').select(['data']).where('conversation_id', '=', id).where('type', '=', 'note.added').execute();
    expect(notes.map((n) => JSON.parse(n.data).text)).toEqual(['The contact asked for a person: "I want a human"']);

    expect((await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: 'john', text: 'John here, how can I help?' })).status).toBe(201);
    await say('my order is late');
    await until('the bot to have seen the agent and the contact', async () => (await transcript()).transcript.some((t) => t.content === 'my order is late'));

    expect((await s.call('POST', `/v1/conversations/${id}/handback`, { by: 'inbox' })).status).toBe(200);
    await until('the bot back', () => botSaid(id, 'I am back.'));
    // It said nothing while the agents had the conversation: its answers are the ones above, in order.
    const mine = (await messages(id)).filter(([who]) => who === 'cwbot').map(([, t]) => t);
    expect(mine).toEqual(['Hello! You said: hi', 'What can I do for you?', 'We are open 9:00-17:00, Monday to Friday.', 'Connecting you to an agent.', 'I am back. Anything else I can do?']);
    const t = await transcript();
    expect(t.refused).toEqual([]);
    expect(t.transcript.filter((x) => x.event === 'message_created' && x.message_type === 'outgoing').length).toBeGreaterThanOrEqual(5);
    expect(t.transcript.map((x) => x.event)).toEqual(expect.arrayContaining(['conversation_opened', 'conversation_status_changed']));
  }, 60_000);
});
