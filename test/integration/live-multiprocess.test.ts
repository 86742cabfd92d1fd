import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, freshSchemaName } from '../helpers/engines.js';
import { loginAgent, visitor } from '../helpers/inbox-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const CONFIG = {
  accounts: [{
    id: 'acme',
    apiKeys: ['acme-api-key-0000000000000'],
    channels: [{ id: 'site', kind: 'webchat' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['site'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: [{ id: 'alice', password: 'alice-password' }],
  }],
};

/**
 * Two Baton processes on one PostgreSQL database: browsers are connected to one (A), the outbox
 * is worked by the other (B, the only dispatcher), so every push must cross over LISTEN/NOTIFY.
 */
describe('live updates across processes on PostgreSQL', () => {
  const schema = freshSchemaName();
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    a = await startServer('postgres', CONFIG, { schema, dispatch: false });
    b = await startServer('postgres', CONFIG, { schema, dispatch: true });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dropSchema(schema);
  });

  it('reaches the agent and the visitor connected to the process that did not deliver', async () => {
    const alice = await loginAgent(a.url, 'acme', 'alice', 'alice-password');
    await alice.call('PUT', '/presence', { presence: 'online' });
    const agentLive = await alice.socket();
    const onA = visitor(a.url, 'acme', 'site', 'visitor-token-multi-000000000000000');
    const visitorLive = await onA.socket();
    await visitorLive.next((m) => m.type === 'ready');

    // The visitor writes through B; the inbox delivery runs on B; the agent's socket is on A.
    const sent = await visitor(b.url, 'acme', 'site', 'visitor-token-multi-000000000000000').say('from the other process');
    expect(sent.status).toBe(201);
    const update = await agentLive.next((m) => m.topic === 'conversation' && m.type === 'message.received', 15_000);
    const conversationId = update.conversationId as string;

    // The agent answers through A; the channel delivery runs on B; the visitor's socket is on A.
    await alice.call('POST', `/conversations/${conversationId}/reply`, { text: 'answered across processes' });
    const pushed = await visitorLive.next((m) => m.type === 'message' && m.message.from === 'agent', 15_000);
    expect(pushed.message.content.text).toBe('answered across processes');
    agentLive.close();
    visitorLive.close();
  }, 30_000);
});
