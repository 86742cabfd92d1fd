import { createHmac } from 'node:crypto';
import * as SunshineConversations from 'sunshine-conversations-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { API_KEY, APP, KEYS, suncoConfig, suncoEvents } from '../helpers/sunco-setup.js';

// The package is a Babel CommonJS build: its exports are the namespace itself or its `default`.
const sdk: any = (SunshineConversations as any).ApiClient ? SunshineConversations : (SunshineConversations as any).default;

/** The official client, pointed at Baton, authenticated as the document says: Basic, or a JWT signed with the key. */
function client(baseUrl: string, auth: { basic: { id: string; secret: string } } | { jwt: string }) {
  const api = new sdk.ApiClient();
  api.basePath = baseUrl;
  if ('basic' in auth) {
    api.authentications.basicAuth.username = auth.basic.id;
    api.authentications.basicAuth.password = auth.basic.secret;
  } else {
    api.authentications.bearerAuth.accessToken = auth.jwt;
  }
  return { conversations: new sdk.ConversationsApi(api), messages: new sdk.MessagesApi(api), switchboard: new sdk.SwitchboardActionsApi(api) };
}

function jwt(key: { id: string; secret: string }, scope = 'app'): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT', kid: key.id })}.${part({ scope })}`;
  return `${unsigned}.${createHmac('sha256', key.secret).update(unsigned).digest('base64url')}`;
}

async function status(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  try {
    await p;
  } catch (err: any) {
    return { status: err.status, body: err.body ?? err.response?.body };
  }
  throw new Error('not refused');
}

describe('the official sunshine-conversations-client against Baton', () => {
  let s: TestServer | undefined;
  let hooks: Receiver | undefined;
  afterEach(async () => {
    await s?.close();
    await hooks?.close();
    s = hooks = undefined;
  });

  it('drives a conversation from the bot to the human integration and back, with Basic and JWT keys', async () => {
    hooks = await startReceiver(() => ({ status: 200, body: '' }));
    s = await startServer('sqlite', suncoConfig(hooks.url, { humanStandby: true }), { clock: new ManualClock('2020-09-30T18:00:00.000Z'), apiKey: API_KEY });
    const first = await s.call('POST', '/v1/channels/api/messages', { customer: '912382197', text: 'hello' });
    const conversationId: string = first.body.conversation.id;
    const bot = client(s.url, { basic: KEYS.bot });
    const human = client(s.url, { jwt: jwt(KEYS.human) });

    const got = await bot.conversations.getConversation(APP, conversationId);
    expect(got.conversation.id).toBe(conversationId);
    expect(got.conversation.type).toBe('personal');
    expect(got.conversation.activeSwitchboardIntegration.name).toBe('bot');

    const post = new sdk.MessagePost();
    post.author = { type: 'business' };
    post.content = { type: 'text', text: 'Hello!' };
    const posted = await bot.messages.postMessage(APP, conversationId, post);
    expect(posted.messages[0].content.text).toBe('Hello!');
    expect(posted.messages[0].author.type).toBe('business');

    // the human may not accept what nobody offered it, nor release what it does not hold
    expect((await status(human.switchboard.releaseControl(APP, conversationId))).status).toBe(403);
    await bot.switchboard.offerControl(APP, conversationId, { switchboardIntegration: 'human', metadata: { topic: 'billing' } });
    expect((await status(bot.switchboard.acceptControl(APP, conversationId, {}))).status).toBe(403);
    await human.switchboard.acceptControl(APP, conversationId, {});
    expect((await human.conversations.getConversation(APP, conversationId)).conversation.activeSwitchboardIntegration.name).toBe('human');

    const reply = new sdk.MessagePost();
    reply.author = { type: 'business' };
    reply.content = { type: 'text', text: 'An agent here.' };
    await human.messages.postMessage(APP, conversationId, reply);
    await human.switchboard.passControl(APP, conversationId, { switchboardIntegration: 'next' });
    expect((await bot.conversations.getConversation(APP, conversationId)).conversation.activeSwitchboardIntegration.name).toBe('bot');
    await bot.switchboard.releaseControl(APP, conversationId);

    await s.baton.dispatcher.drain();
    expect(suncoEvents(hooks, '/human').map((h) => h.event.type)).toEqual([
      'conversation:message', 'conversation:message', 'switchboard:offerControl', 'switchboard:acceptControl', 'switchboard:passControl', 'switchboard:releaseControl',
    ]);
    expect(suncoEvents(hooks, '/human')[2]!.event.payload.metadata).toEqual({ topic: 'billing' });

    const wrong = client(s.url, { basic: { id: KEYS.bot.id, secret: 'not-the-secret' } });
    const refused = await status(wrong.conversations.getConversation(APP, conversationId));
    expect(refused.status).toBe(401);
    expect(refused.body.errors[0].code).toBe('unauthorized');
    const forged = client(s.url, { jwt: jwt({ id: KEYS.human.id, secret: 'forged' }) });
    expect((await status(forged.conversations.getConversation(APP, conversationId))).status).toBe(401);
  });
});
