import { afterEach, describe, expect, it } from 'vitest';
import { loginAgent, visitor } from '../helpers/inbox-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const CONFIG = {
  accounts: [{
    id: 'acme',
    name: 'Acme',
    apiKeys: ['acme-api-key-0000000000000'],
    channels: [{ id: 'site', kind: 'webchat' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['site'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: [{ id: 'sam', name: 'Sam', password: 'sam-password' }],
  }],
};

// The widget's header names the agent who took the chat ("Sam joined the chat"), from the history answer.
describe.each(['sqlite', 'postgres'] as const)('the web chat names the agent answering on %s', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('gives the agent\'s name only while an agent answers', async () => {
    s = await startServer(engine, CONFIG);
    const sam = await loginAgent(s.url, 'acme', 'sam', 'sam-password');
    await sam.call('PUT', '/presence', { presence: 'online' });
    const v = visitor(s.url, 'acme', 'site', 'visitor-token-name-000000000000000000');
    expect((await v.say('hello')).status).toBe(201);
    expect((await v.history()).body.humans).toEqual({ online: true, chat: 'waiting', agent: null, email: null, queue: { position: 1, typicalWaitMs: null } });
    const [card] = (await sam.call('GET', '/conversations')).body.items;
    expect((await sam.call('POST', `/conversations/${card.id}/take`, {})).status).toBe(200);
    expect((await v.history()).body.humans).toEqual({ online: true, chat: 'answering', agent: 'Sam', email: null, queue: null });
    expect((await sam.call('POST', `/conversations/${card.id}/close`, {})).status).toBe(200);
    expect((await v.history()).body.humans).toEqual({ online: true, chat: 'none', agent: null, email: null, queue: null });
  }, 60_000);
});
