import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_CATEGORY, API_KEY, BOT_CATEGORY, CLOSING_AGENT, CUSTOMER, engageConfig, OTHER_CATEGORY, OWNER_AGENT, SOURCE, TOKENS } from '../helpers/engage-setup.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { startExampleBot } from '../helpers/example-bot.js';
import { freePort, until } from '../helpers/waiting.js';

const BOT = new URL('../../examples/engage-bot/bot.mjs', import.meta.url).pathname;

describe.each([
  ['sqlite', 'agent-first'],
  ['postgres', 'bot-first'],
  ['sqlite', 'bot-first'],
  ['postgres', 'agent-first'],
] as const)('the example Engage bot, as a real process, through a whole thread (%s, %s on reopening)', (engine, policy) => {
  let s: TestServer;
  let bot: ChildProcess;
  let botUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    botUrl = `http://127.0.0.1:${port}`;
    // Baton's own reopen policy stays agent-first: bot-first is the bot's doing (seed 003 case 2).
    s = await startServer(engine, engageConfig(`${botUrl}/webhooks`), { apiKey: API_KEY, dispatch: true });
    bot = await startExampleBot(BOT, port, { ENGAGE_SERVER: s.url, API_ACCESS_TOKEN: TOKENS.bot, BOT_CATEGORY_ID: BOT_CATEGORY, AGENT_CATEGORY_ID: AGENT_CATEGORY, REOPEN_POLICY: policy });
  }, 30_000);

  afterAll(async () => {
    bot?.kill('SIGTERM');
    await s?.close();
  });

  const transcript = async (): Promise<any[]> => (await fetch(`${botUrl}/transcript`)).json() as Promise<any[]>;
  const say = (text: string) => s.call('POST', `/v1/channels/${SOURCE}/messages`, { customer: CUSTOMER, text });
  const conversation = async (id: string) => (await s.call('GET', `/v1/conversations/${id}`)).body.conversation;
  const messages = async (id: string): Promise<[string, string][]> => (await s.call('GET', `/v1/conversations/${id}/messages`)).body.items.map((m: any) => [m.author.id, m.content.text]);
  const botSaid = async (id: string, text: string) => (await messages(id)).some(([who, t]) => who === 'engagebot' && t.startsWith(text));

  it('answers, checks availability, hands over by recategorisation, watches the agents, and handles the reopening', async () => {
    const first = await say('hi');
    const id = first.body.conversation.id;
    await until('the bot greeting', () => botSaid(id, 'Hello! You said: hi'));
    // the bot opened an intervention of its own for statistics, and answered in it
    const opened = await conversation(id);
    expect(opened.workItem).toMatchObject({ owner: { kind: 'component', id: 'engagebot' }, messageId: first.body.message.id, closedAt: null, replies: 1 });

    // nobody online: the bot keeps the thread
    await say('I want a human');
    await until('the bot to say nobody is there', () => botSaid(id, 'Nobody is available right now'));
    expect(await conversation(id)).toMatchObject({ controller: 'bot', categories: [OTHER_CATEGORY, BOT_CATEGORY] });

    // an agent with the AGENT category comes online: the bot hands over
    await s.call('PUT', `/v1/agents/${OWNER_AGENT}/presence`, { presence: 'online' });
    await say('a human please');
    const handed = await until('the handover', async () => {
      const c = await conversation(id);
      return c.controller === 'desk' && c;
    });
    expect(handed.categories).toEqual([OTHER_CATEGORY, AGENT_CATEGORY]);
    expect(handed.agentSession).toMatchObject({ status: 'queued', reason: 'recategorised' });
    expect(handed.workItem).toMatchObject({ replies: 3, closedAt: expect.any(String) });
    expect(await botSaid(id, 'Let me get you a colleague.')).toBe(true);

    // the agent answers; the bot still receives every content, categorised AGENT, and stays quiet
    await s.call('POST', `/v1/conversations/${id}/assign`, { agentId: OWNER_AGENT });
    await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: OWNER_AGENT, text: 'Amelie here, how can I help?' });
    await say('my order is late');
    const watched = await until('the bot to see both', async () => {
      const t = await transcript();
      return t.some((e) => e.resource.metadata?.body === 'my order is late') && t;
    });
    const contents = watched.filter((e) => e.type === 'content.imported').map((e) => [e.resource.metadata.author_id, e.resource.metadata.body.slice(0, 20), e.resource.metadata.category_ids.includes(BOT_CATEGORY) ? 'BOT' : 'AGENT']);
    expect(contents).toEqual([
      [CUSTOMER, 'hi', 'BOT'],
      ['engagebot', 'Hello! You said: hi.', 'BOT'],
      [CUSTOMER, 'I want a human', 'BOT'],
      ['engagebot', 'Nobody is available ', 'BOT'],
      [CUSTOMER, 'a human please', 'BOT'],
      ['engagebot', 'Let me get you a col', 'BOT'],
      [OWNER_AGENT, 'Amelie here, how can', 'AGENT'],
      [CUSTOMER, 'my order is late', 'AGENT'],
    ]);
    expect((await messages(id)).filter(([who]) => who === 'engagebot')).toHaveLength(3);

    // the agent defers (no intervention.closed), then completes the intervention
    await s.call('POST', `/v1/conversations/${id}/defer`, { agentId: OWNER_AGENT });
    await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: OWNER_AGENT, text: 'It ships tomorrow.' });
    await s.call('POST', `/v1/conversations/${id}/close`, { scope: 'agent_session', agentId: CLOSING_AGENT });
    const closedSeen = await until('intervention.closed at the bot', async () => {
      const t = await transcript();
      return t.some((e) => e.type === 'intervention.closed') && t;
    });
    expect(closedSeen.filter((e) => e.type === 'intervention.closed')).toHaveLength(1);
    expect(closedSeen.at(-1)).toMatchObject({ type: 'intervention.closed', user_id: CLOSING_AGENT, resource: { id: handed.agentSession.id, user_id: OWNER_AGENT, thread_id: id } });

    if (policy === 'bot-first') {
      // the bot recategorises the thread to BOT as soon as the agents closed
      await until('the bot to take the thread back', async () => (await conversation(id)).controller === 'bot');
      expect((await conversation(id)).categories).toEqual([OTHER_CATEGORY, BOT_CATEGORY]);
    } else {
      expect((await conversation(id)).controller).toBe('desk');
    }

    // the customer comes back within the thread inclusion delay, in the same thread
    const back = await say('one more thing');
    if (policy === 'bot-first') {
      // the bot has the thread: nothing reopens, the bot answers in the thread and may open its own intervention again
      expect(back.body.events.map((e: any) => e.type)).not.toContain('agent_session.reopened');
      await until('the bot to answer first', () => botSaid(id, 'Hello! You said: one more thing'));
      expect((await conversation(id)).agentSession).toMatchObject({ id: handed.agentSession.id, status: 'closed' });
      // and its next handover is a new intervention for the humans
      await say('a human again please');
      const again = await until('the second handover', async () => {
        const c = await conversation(id);
        return c.controller === 'desk' && c;
      });
      expect(again.agentSession.id).not.toBe(handed.agentSession.id);
      await s.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'inbox', authorKind: 'agent', agentId: OWNER_AGENT, text: 'Back again?' });
      await say('yes, sorry');
      const seen = await until('the bot to see the new intervention', async () => {
        const t = await transcript();
        return t.find((e) => e.resource.metadata?.body === 'yes, sorry');
      });
      expect(seen.resource.metadata).toMatchObject({ intervention_id: again.agentSession.id, thread_id: id, category_ids: [OTHER_CATEGORY, AGENT_CATEGORY] });
      expect((await transcript()).map((e) => e.type)).not.toContain('intervention.reopened');
    } else {
      expect(back.body.events.map((e: any) => e.type)).toContain('agent_session.reopened');
      await until('intervention.reopened at the bot', async () => (await transcript()).some((e) => e.type === 'intervention.reopened' && e.resource.id === handed.agentSession.id));
      // the agent handles first: the content stays AGENT and the bot only collates it
      await until('the bot to see it', async () => (await transcript()).some((e) => e.resource.metadata?.body === 'one more thing'));
      expect((await conversation(id))).toMatchObject({ controller: 'desk', categories: [OTHER_CATEGORY, AGENT_CATEGORY] });
      expect((await conversation(id)).agentSession).toMatchObject({ id: handed.agentSession.id, status: 'assigned' });
      expect((await messages(id)).filter(([who]) => who === 'engagebot')).toHaveLength(3);
    }
  }, 30_000);
});
