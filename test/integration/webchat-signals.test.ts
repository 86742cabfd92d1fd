import { afterEach, describe, expect, it } from 'vitest';
import { loginAgent, type LiveSocket, visitor } from '../helpers/inbox-client.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'signals-key-00000000000001';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const account = (id: string, extra: object = {}) => ({
  id,
  name: id.toUpperCase(),
  apiKeys: [`${KEY}-${id}`],
  channels: [{ id: 'site', kind: 'webchat' }],
  components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
  services: [{ id: 'main', channels: ['site'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
  agents: [{ id: 'sam', name: `Sam of ${id}`, password: 'sam-password' }],
  ...extra,
});

/** Two accounts with a desk each: typing must stay inside the account and the visitor's own chat. */
const DESKS = { accounts: [account('acme'), account('globex')] };

/** A bot in front of the web chat, to hear the visitor's receipts. */
function botConfig(bot: Receiver) {
  return {
    accounts: [{
      ...account('acme'),
      apiKeys: [KEY],
      components: [{ id: 'bot', kind: 'bot', url: `${bot.url}/bot`, secrets: { webhookSecret: SECRET } }, { id: 'inbox', kind: 'desk', dialect: 'inbox' }],
      services: [{ id: 'main', channels: ['site'], rules: [{ id: 'bot', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot' } }] }],
    }],
  };
}

const TOKEN_A = 'visitor-token-signals-a-0000000000000';
const TOKEN_B = 'visitor-token-signals-b-0000000000000';
const typingOf = (conversationId: string) => (m: any) => m.topic === 'typing' && m.conversationId === conversationId;

describe.each(['sqlite', 'postgres'] as const)('web chat typing and receipts on %s', (engine) => {
  let s: TestServer | undefined;
  const sockets: LiveSocket[] = [];
  const receivers: Receiver[] = [];
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.close();
    await s?.close();
    s = undefined;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  const online = async (accountId: string) => {
    const sam = await loginAgent(s!.url, accountId, 'sam', 'sam-password');
    expect((await sam.call('PUT', '/presence', { presence: 'online' })).status).toBe(200);
    return sam;
  };
  const keep = (ws: LiveSocket) => {
    sockets.push(ws);
    return ws;
  };

  it('tells a visitor\'s typing to the agents of their account only, and an agent\'s typing to that visitor only', async () => {
    s = await startServer(engine, DESKS);
    const a = visitor(s.url, 'acme', 'site', TOKEN_A);
    const b = visitor(s.url, 'acme', 'site', TOKEN_B);
    const g = visitor(s.url, 'globex', 'site', TOKEN_A);
    // With nobody online a chat with no bot takes no message (chat_unavailable).
    const acmeSam = await online('acme');
    const globexSam = await online('globex');
    expect((await a.say('hello from a')).status).toBe(201);
    expect((await b.say('hello from b')).status).toBe(201);
    expect((await g.say('hello from globex')).status).toBe(201);
    const convs = (await acmeSam.call('GET', '/conversations')).body.items as { id: string; lastMessage: { text: string } }[];
    const convA = convs.find((c) => c.lastMessage.text === 'hello from a')!.id;
    const convB = convs.find((c) => c.lastMessage.text === 'hello from b')!.id;
    const convG = (await globexSam.call('GET', '/conversations')).body.items[0].id as string;

    const acmeDesk = keep(await acmeSam.socket());
    const globexDesk = keep(await globexSam.socket());
    const pageA = keep(await a.socket());
    const pageB = keep(await b.socket());
    const pageG = keep(await g.socket());
    await Promise.all([pageA, pageB, pageG].map((p) => p.next((m) => m.type === 'ready')));

    // The visitor types: their account's desk hears it, with nothing but the conversation.
    pageA.send({ type: 'typing' });
    expect(await acmeDesk.next(typingOf(convA))).toEqual({ topic: 'typing', conversationId: convA, from: 'visitor' });
    // Globex's visitor types after: Globex's desk hears that, and had heard nothing of Acme's before it.
    pageG.send({ type: 'typing' });
    await globexDesk.next(typingOf(convG));
    expect(globexDesk.messages.filter((m) => m.topic === 'typing')).toEqual([{ topic: 'typing', conversationId: convG, from: 'visitor' }]);

    // The agent types in A's chat, then in B's: each visitor hears their own, named, and nothing else.
    expect((await acmeSam.call('POST', `/conversations/${convA}/typing`, {})).status).toBe(204);
    expect((await acmeSam.call('POST', `/conversations/${convB}/typing`, {})).status).toBe(204);
    expect(await pageA.next((m) => m.type === 'typing')).toEqual({ type: 'typing', name: 'Sam of acme' });
    await pageB.next((m) => m.type === 'typing');
    expect(pageB.messages.filter((m) => m.type === 'typing')).toHaveLength(1);
    // Globex's agent types after: Globex's visitor hears that one alone, none of Acme's.
    expect((await globexSam.call('POST', `/conversations/${convG}/typing`, {})).status).toBe(204);
    await pageG.next((m) => m.type === 'typing');
    expect(pageG.messages.filter((m) => m.type === 'typing')).toEqual([{ type: 'typing', name: 'Sam of globex' }]);
    // The agent's typing is the visitor's to see, not the other agents'.
    expect(acmeDesk.messages.filter((m) => m.topic === 'typing' && m.from !== 'visitor')).toEqual([]);

    // An agent of another account cannot type into this conversation, nor anyone without the CSRF token.
    expect((await globexSam.call('POST', `/conversations/${convA}/typing`, {})).status).toBe(404);
    expect((await acmeSam.call('POST', `/conversations/${convA}/typing`, {}, { csrf: null })).status).toBe(403);
  }, 60_000);

  it('takes a burst of two typing signals from a page, then one every two seconds, and none once the chat is closed', async () => {
    s = await startServer(engine, DESKS);
    const a = visitor(s.url, 'acme', 'site', TOKEN_A);
    const sam = await online('acme');
    expect((await a.say('hello')).status).toBe(201);
    const conv = (await sam.call('GET', '/conversations')).body.items[0].id as string;
    const desk = keep(await sam.socket());
    const page = keep(await a.socket());
    await page.next((m) => m.type === 'ready');
    for (let i = 0; i < 5; i++) page.send({ type: 'typing' });
    // Not JSON, or not typing: dropped without closing the socket.
    page.send('not json at all');
    page.send({ type: 'hello', token: TOKEN_B });
    await desk.next(typingOf(conv));
    // A later, different signal on the same path: the agent stepping away (topic `agents`).
    expect((await sam.call('PUT', '/presence', { presence: 'away' })).status).toBe(200);
    await desk.next((m) => m.topic === 'agents');
    expect(desk.messages.filter((m) => m.topic === 'typing')).toHaveLength(2);

    expect((await sam.call('POST', `/conversations/${conv}/close`, {})).status).toBe(200);
    const closed = await sam.call('POST', `/conversations/${conv}/typing`, {});
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('invalid_transition');
  }, 60_000);

  it('passes the visitor\'s delivered and read to the bot that sent the answer, once each, and only for the visitor\'s own answers', async () => {
    const bot = await startReceiver();
    receivers.push(bot);
    s = await startServer(engine, botConfig(bot), { apiKey: KEY });
    const a = visitor(s.url, 'acme', 'site', TOKEN_A);
    const hello = await a.say('hello');
    expect(hello.status).toBe(201);
    const history = await a.history();
    const conv = (await s.call('GET', '/v1/conversations?status=open')).body.items[0].id as string;
    const sent = await s.call('POST', `/v1/conversations/${conv}/replies`, { componentId: 'bot', text: 'Hi! How can I help?' });
    expect(sent.status, JSON.stringify(sent.body)).toBeLessThan(300);
    const answerId = sent.body.message.id as string;
    await s.baton.dispatcher.drain();
    expect(history.status).toBe(200);

    const receipt = (token: string, messageId: string, body: unknown) => s!.call('POST', `/chat/api/acme/site/messages/${encodeURIComponent(messageId)}/status`, body, { 'x-visitor-token': token });
    const delivered = await receipt(TOKEN_A, answerId, { status: 'delivered' });
    expect(delivered.status, JSON.stringify(delivered.body)).toBe(200);
    expect(delivered.body).toEqual({ messageId: answerId, status: 'delivered', duplicate: false });
    expect((await receipt(TOKEN_A, answerId, { status: 'read' })).body.duplicate).toBe(false);
    // The page reports again after a reload: taken once.
    expect((await receipt(TOKEN_A, answerId, { status: 'read' })).body.duplicate).toBe(true);

    // Refused, and nothing recorded: another visitor's answer, the visitor's own message, a bad status, no token.
    const other = await receipt(TOKEN_B, answerId, { status: 'read' });
    expect([other.status, other.body.error.code]).toEqual([404, 'message_not_found']);
    const own = await receipt(TOKEN_A, hello.body.message.id, { status: 'read' });
    expect([own.status, own.body.error.code]).toEqual([409, 'invalid_transition']);
    const bad = await receipt(TOKEN_A, answerId, { status: 'failed' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'validation_failed']);
    const anonymous = await s.call('POST', `/chat/api/acme/site/messages/${answerId}/status`, { status: 'read' });
    expect(anonymous.status).toBe(401);
    expect((await receipt(TOKEN_A, 'no-such-message', { status: 'read' })).status).toBe(404);

    await s.baton.dispatcher.drain();
    const statuses = bot.received.filter((x) => x.json?.type === 'message.status').map((x) => [x.json.data.messageId, x.json.data.status]);
    // Baton's own delivered (the answer reached the chat's live push) comes first, then the page's reports.
    expect(statuses).toEqual([[answerId, 'delivered'], [answerId, 'delivered'], [answerId, 'read']]);
  }, 60_000);
});
