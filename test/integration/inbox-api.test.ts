import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { loginAgent, openSocket, visitor } from '../helpers/inbox-client.js';

const TOKEN_A = 'visitor-token-a-0000000000000000000000';
const TOKEN_B = 'visitor-token-b-0000000000000000000000';

function account(id: string, opts: { bot: boolean; agents: { id: string; password: string; admin?: boolean }[] }) {
  return {
    id,
    name: id.toUpperCase(),
    apiKeys: [`${id}-api-key-0000000000000`],
    teams: [{ id: 'billing' }],
    channels: [{ id: 'site', kind: 'webchat' }, { id: 'api', kind: 'native' }],
    components: [
      ...(opts.bot ? [{ id: 'bot', kind: 'bot', dialect: 'native', flows: [{ id: 'survey', steps: ['rating'] }] }] : []),
      { id: 'inbox', kind: 'desk', dialect: 'inbox' },
    ],
    services: [{ id: 'main', channels: ['site', 'api'], rules: [{ id: 'r', trigger: { event: 'message' }, action: opts.bot ? { type: 'bot+desk', bot: 'bot', desk: 'inbox' } : { type: 'desk', desk: 'inbox' } }] }],
    agents: opts.agents.map((a) => ({ id: a.id, name: a.id.toUpperCase(), password: a.password, teams: ['billing'], ...(a.admin ? { admin: true } : {}) })),
  };
}

const CONFIG = {
  accounts: [
    account('acme', { bot: true, agents: [{ id: 'alice', password: 'alice-password', admin: true }, { id: 'amos', password: 'amos-password' }] }),
    account('globex', { bot: false, agents: [{ id: 'bob', password: 'bob-password' }] }),
  ],
};

describe.each(['sqlite', 'postgres'] as const)('the inbox and web chat HTTP API on %s', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });
  const start = async (opts: { clock?: ManualClock; dispatch?: boolean } = {}) => (s = await startServer(engine, CONFIG, opts));

  it('logs agents in with their password only, in an httpOnly SameSite=Strict cookie, and out again', async () => {
    const { url } = await start();
    const post = (body: unknown) => fetch(`${url}/inbox/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const wrong of [{ account: 'acme', agent: 'alice', password: 'nope-nope' }, { account: 'acme', agent: 'nobody', password: 'alice-password' }, { account: 'globex', agent: 'alice', password: 'alice-password' }]) {
      const res = await post(wrong);
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(((await res.json()) as any).error.code).toBe('unauthorized');
    }
    const ok = await post({ account: 'acme', agent: 'alice', password: 'alice-password' });
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^baton_session=[A-Za-z0-9_-]{40,}; Path=\/inbox; Max-Age=43200; HttpOnly; SameSite=Strict$/);

    const alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    const me = await alice.call('GET', '/me');
    expect(me.body).toMatchObject({ agent: { id: 'alice', admin: true }, account: { id: 'acme', teams: ['billing'] }, bots: [{ id: 'bot', flows: [{ id: 'survey', steps: ['rating'] }] }] });
    expect((await fetch(`${url}/inbox/api/session`, { headers: { cookie: alice.cookie } }).then((r) => r.json()))).toEqual({ loggedIn: true });
    expect((await fetch(`${url}/inbox/api/me`)).status).toBe(401);

    await alice.call('PUT', '/presence', { presence: 'online' });
    expect((await alice.call('POST', '/logout', {})).status).toBe(200);
    expect((await alice.call('GET', '/me')).status).toBe(401);
    expect((await s!.baton.queries.agent('acme', 'alice')).presence).toBe('offline');
  });

  it('refuses every change without the session\'s CSRF token', async () => {
    const { url } = await start();
    const alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    const amos = await loginAgent(url, 'acme', 'amos', 'amos-password');
    for (const csrf of [null, 'forged', amos.csrf]) {
      const res = await alice.call('PUT', '/presence', { presence: 'online' }, { csrf });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await s!.baton.queries.agent('acme', 'alice')).presence).toBe('offline');
    expect((await alice.call('PUT', '/presence', { presence: 'away' })).status).toBe(200);
    expect((await s!.baton.queries.agent('acme', 'alice')).presence).toBe('away');
  });

  it('ends a login after twelve hours', async () => {
    const clock = new ManualClock();
    const { url } = await start({ clock });
    const alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    clock.advance(12 * 3_600_000 - 1000);
    expect((await alice.call('GET', '/me')).status).toBe(200);
    clock.advance(2000);
    expect((await alice.call('GET', '/me')).status).toBe(401);
  });

  it('takes over from the bot, answers, transfers, defers, hands back at a flow/step and closes', async () => {
    const { url } = await start();
    const v = visitor(url, 'acme', 'site', TOKEN_A);
    expect((await v.say('hello')).status).toBe(201);
    const alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    const [card] = (await alice.call('GET', '/conversations')).body.items;
    expect(card).toMatchObject({ controller: 'bot', channelId: 'site', displayName: expect.stringMatching(/^Visitor /), agentSession: null });
    const act = (what: string, body: unknown = {}) => alice.call('POST', `/conversations/${card.id}/${what}`, body);

    expect((await act('reply', { text: 'too early' })).body.error.code).toBe('component_disabled');
    expect((await act('take')).body.conversation).toMatchObject({ controller: 'desk', agentSession: { status: 'assigned', agentId: 'alice', agentName: 'ALICE' } });
    expect((await act('reply', { text: 'Alice here.' })).status).toBe(200);
    const history = (await v.history()).body.messages;
    expect(history.map((m: any) => [m.from, m.name, m.content.text])).toEqual([['visitor', null, 'hello'], ['agent', 'ALICE', 'Alice here.']]);
    expect((await act('transfer', { team: 'billing' })).body.conversation).toMatchObject({ team: 'billing', agentSession: { status: 'queued', agentId: null }, waitingSince: expect.any(String) });
    expect((await act('take')).body.conversation.agentSession).toMatchObject({ status: 'assigned', agentId: 'alice' });
    expect((await act('defer')).body.conversation.agentSession.status).toBe('deferred');
    expect((await act('handback', { flow: 'survey' })).body.error.code).toBe('validation_failed');
    expect((await act('handback', { flow: 'survey', step: 'rating' })).body.conversation).toMatchObject({ controller: 'bot', agentSession: null });
    expect((await s!.baton.queries.conversation('acme', card.id)).position).toEqual({ flow: 'survey', step: 'rating' });
    expect((await act('close')).body.conversation.status).toBe('closed');
    expect((await alice.call('GET', '/conversations?status=closed')).body.items.map((c: any) => c.id)).toEqual([card.id]);

    const detail = (await alice.call('GET', `/conversations/${card.id}`)).body;
    expect(detail.visitor).toEqual({});
    const notes = detail.timeline.filter((i: any) => i.kind === 'note').map((i: any) => i.type);
    expect(notes).toEqual(['reply.refused', 'takeover', 'agent_session.transferred', 'agent_session.assigned', 'agent_session.deferred', 'agent_session.closed', 'handback', 'position.requested', 'bot_session.closed', 'conversation.closed']);
  });

  it('scopes visitors to their own chat and their own channel, and accepts a retried send once', async () => {
    const { url } = await start();
    const a = visitor(url, 'acme', 'site', TOKEN_A);
    const b = visitor(url, 'acme', 'site', TOKEN_B);
    expect((await a.say('mine', 'same-id-0001')).status).toBe(201);
    expect((await a.say('mine', 'same-id-0001')).status).toBe(200);
    expect((await a.history()).body.messages).toHaveLength(1);
    expect((await b.history()).body.messages).toEqual([]);
    // Message ids are the visitor's own: another visitor choosing the same id sends a message of
    // their own, and neither sees the other's.
    expect((await b.say('theirs', 'same-id-0001')).status).toBe(201);
    expect((await b.history()).body.messages.map((m: any) => m.content.text)).toEqual(['theirs']);
    expect((await a.history()).body.messages.map((m: any) => m.content.text)).toEqual(['mine']);
    expect((await visitor(url, 'acme', 'site', 'short').say('x')).status).toBe(401);
    expect((await visitor(url, 'acme', 'api', TOKEN_A).say('x')).body.error.code).toBe('channel_not_found');
    expect((await visitor(url, 'nobody', 'site', TOKEN_A).history()).status).toBe(404);
    const bad = await fetch(`${url}/chat/api/acme/site/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-visitor-token': TOKEN_A }, body: JSON.stringify({ id: 'x', text: 'id too short' }) });
    expect(bad.status).toBe(400);
    // The address agents and bots see is a digest, never the visitor's token.
    const conv = (await s!.baton.queries.conversations('acme', { limit: 10 })).items[0]!;
    expect(conv.customer).not.toContain(TOKEN_A);
  });

  it('says a chat with no bot is offline until an agent is online, and refuses messages meanwhile', async () => {
    const { url } = await start();
    const v = visitor(url, 'globex', 'site', TOKEN_A);
    const offline = await v.status();
    expect(offline.body).toEqual({ title: 'GLOBEX', active: true, available: false, botInFront: false, look: { color: '#4338ca', greeting: null, position: 'bottom-right' } });
    expect(offline.headers.get('access-control-allow-origin')).toBe('*');
    expect((await v.say('anyone?')).body.error.code).toBe('chat_unavailable');
    const bob = await loginAgent(url, 'globex', 'bob', 'bob-password');
    await bob.call('PUT', '/presence', { presence: 'online' });
    expect((await v.status()).body.available).toBe(true);
    expect((await v.say('anyone?')).status).toBe(201);
    // Once waiting for the humans, the visitor may go on writing even if they go offline.
    await bob.call('PUT', '/presence', { presence: 'offline' });
    expect((await v.say('still there?')).status).toBe(201);
    expect((await visitor(url, 'acme', 'site', TOKEN_A).status()).body).toMatchObject({ available: true, botInFront: true });
  });

  it('shows an agent nothing of another account', async () => {
    const { url } = await start();
    await visitor(url, 'acme', 'site', TOKEN_A).say('acme secret');
    const bob = await loginAgent(url, 'globex', 'bob', 'bob-password');
    const acmeId = (await s!.baton.queries.conversations('acme', { limit: 1 })).items[0]!.id;
    expect((await bob.call('GET', '/conversations')).body.items).toEqual([]);
    expect((await bob.call('GET', `/conversations/${acmeId}`)).status).toBe(404);
    for (const what of ['take', 'close']) expect((await bob.call('POST', `/conversations/${acmeId}/${what}`, {})).status).toBe(404);
    expect((await bob.call('POST', `/conversations/${acmeId}/reply`, { text: 'x' })).status).toBe(404);
    expect((await s!.baton.queries.messages('acme', acmeId)).map((m) => m.content.text)).toEqual(['acme secret']);
  });

  it('opens the admin pages to admins only: components with health, channels with addresses, verification', async () => {
    const { url } = await start();
    const amos = await loginAgent(url, 'acme', 'amos', 'amos-password');
    expect((await amos.call('GET', '/admin/overview')).body.error.code).toBe('forbidden');
    const alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    const o = (await alice.call('GET', '/admin/overview')).body;
    expect(o.emergency).toBe(false);
    expect(o.components.map((c: any) => [c.id, c.health.state])).toEqual([['bot', 'active'], ['inbox', 'active']]);
    expect(o.components[0].secrets).toBeUndefined();
    expect(o.channels.find((c: any) => c.id === 'site')).toMatchObject({ kind: 'webchat', inboundUrl: `${url}/chat/acme/site` });
    expect(o.channels[0].credentials).toBeUndefined();
    expect((await alice.call('POST', '/admin/components/inbox/verify', {})).body).toMatchObject({ verified: true });
    expect((await alice.call('GET', '/admin/deliveries?state=failed')).body.items).toEqual([]);
    const on = await alice.call('POST', '/admin/emergency', { on: true });
    expect(on.body.emergency).toBe(true);
    expect((await s!.baton.queries.account('acme')).emergency).toBe(true);
    const unknown = await alice.call('POST', '/admin/emergency', { on: false, handBack: 'loudly' });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'validation_failed']);
    expect((await s!.baton.queries.account('acme')).emergency).toBe(true);
    const off = await alice.call('POST', '/admin/emergency', { on: false, handBack: 'keep_with_agents' });
    expect(off.body).toMatchObject({ emergency: false, handBack: 'keep_with_agents', handedBack: 0, failed: [] });
    const audit = (await s!.baton.queries.audit('acme', 10)).items.find((e: any) => e.action === 'emergency.off');
    expect(audit).toMatchObject({ actor: expect.stringMatching(/^inbox-session:/), details: { handBack: 'keep_with_agents' } });
  });

  it('pushes changes to the agents of the account and agent answers to the visitor, over WebSocket', async () => {
    const { url } = await start({ dispatch: true });
    const alice = await loginAgent(url, 'acme', 'alice', 'alice-password');
    const bob = await loginAgent(url, 'globex', 'bob', 'bob-password');
    const aliceLive = await alice.socket();
    const bobLive = await bob.socket();
    const v = visitor(url, 'acme', 'site', TOKEN_A);
    const first = await v.say('hello');
    const convId = (await s!.baton.queries.message('acme', first.body.message.id)).conversationId;
    const seen = await aliceLive.next((m) => m.topic === 'conversation' && m.type === 'message.received');
    expect(seen).toEqual({ topic: 'conversation', conversationId: convId, seq: expect.any(Number), type: 'message.received' });

    const visitorLive = await v.socket();
    await visitorLive.next((m) => m.type === 'ready');
    await alice.call('POST', `/conversations/${convId}/take`, {});
    await alice.call('POST', `/conversations/${convId}/reply`, { text: 'pushed to you' });
    const pushed = await visitorLive.next((m) => m.type === 'message' && m.message.from === 'agent');
    expect(pushed.message).toMatchObject({ from: 'agent', name: 'ALICE', content: { type: 'text', text: 'pushed to you' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(bobLive.messages.filter((m) => m.topic === 'conversation')).toEqual([]);
    for (const socket of [aliceLive, bobLive, visitorLive]) socket.close();

    await expect(openSocket(`${url}/inbox/api/socket`)).rejects.toThrow(/401/);
    await expect(openSocket(`${url}/inbox/api/socket`, { cookie: alice.cookie, origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });
});
