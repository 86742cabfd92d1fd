import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const KEY = 'audit-key-0000000000000001';
const CONFIG = {
  accounts: [{
    id: 'acme',
    apiKeys: [KEY],
    channels: [{ id: 'web', kind: 'native' }],
    components: [{ id: 'bot', kind: 'bot' }, { id: 'desk', kind: 'desk' }],
    services: [{ id: 's', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'bot', desk: 'desk' } }] }],
    defaultDesk: 'desk',
    agents: [{ id: 'amy' }],
  }],
};

describe.each(['sqlite', 'postgres'] as const)('the audit log on %s', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('records control changes and admin actions with the acting credential and time, and pages', async () => {
    s = await startServer(engine, CONFIG, { apiKey: KEY });
    const actor = `api-key:${createHash('sha256').update(KEY).digest('hex').slice(0, 12)}`;
    const conv = (await s.call('POST', '/v1/channels/web/messages', { customer: 'c1', text: 'hi' })).body.conversation;
    await s.call('POST', `/v1/conversations/${conv.id}/handover`, { by: 'bot', note: 'needs help' });
    await s.call('POST', `/v1/conversations/${conv.id}/handback`, { by: 'desk' });
    await s.call('PUT', '/v1/agents/amy/presence', { presence: 'online' });
    await s.call('POST', '/v1/emergency', { on: true });
    // a refused command changes nothing and leaves no line
    await s.call('POST', `/v1/conversations/${conv.id}/handback`, { by: 'desk' });

    const log = (await s.call('GET', '/v1/audit')).body.items;
    const mine = log.filter((e: any) => e.actor === actor);
    expect(mine.map((e: any) => [e.action, e.subject])).toEqual([
      ['emergency.on', 'acme'],
      ['presence.online', 'amy'],
      ['handback', conv.id],
      ['handover', conv.id],
    ]);
    const handover = mine.find((e: any) => e.action === 'handover');
    expect(handover.details).toMatchObject({ by: 'bot', controlVersion: { from: 1, to: 2 }, events: ['handover'] });
    expect(Date.parse(handover.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(log.some((e: any) => e.action === 'config.applied' && e.actor === 'config')).toBe(true);
    expect(mine.filter((e: any) => e.action === 'handback')).toHaveLength(1);

    const first = await s.call('GET', '/v1/audit?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await s.call('GET', `/v1/audit?limit=2&before=${first.body.next}`);
    expect(second.body.items.map((e: any) => e.id)).not.toContain(first.body.items[0].id);
    expect(second.body.items[0].at <= first.body.items[1].at).toBe(true);
  });
});
