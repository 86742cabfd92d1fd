import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src/config/apply-config.js';
import { validateConfig } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/core/clock.js';
import type { Store } from '../../src/core/ports.js';
import { Router } from '../../src/core/router.js';
import { type EngineHandle, engines } from '../helpers/engines.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEYS = Array.from({ length: 12 }, (_, i) => `races-key-${String(i).padStart(14, '0')}`);
const CONFIG = {
  accounts: [{
    id: 'acme',
    apiKeys: KEYS,
    channels: [{ id: 'web', kind: 'native' }],
    components: [{ id: 'bot', kind: 'bot' }, { id: 'desk', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 's', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot+desk', bot: 'bot', desk: 'desk' } }] }],
    defaultDesk: 'desk',
    availability: { policy: 'keep-bot', wait: '2m' },
    agents: [{ id: 'amy' }, { id: 'ben' }],
  }, {
    id: 'other',
    channels: [{ id: 'web', kind: 'native' }],
    components: [{ id: 'desk', kind: 'desk', dialect: 'inbox' }],
    agents: [{ id: 'zoe' }],
  }],
};

const fingerprint = (key: string) => `api-key:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

/** Exactly one party may answer, and every change of who holds a conversation is recorded with who did it. */
describe.each(['sqlite', 'postgres'] as const)('control under races on %s', (engine) => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  async function queued(customer: string) {
    s ??= await startServer(engine, CONFIG, { apiKey: KEYS[0] });
    const conv = (await s.call('POST', '/v1/channels/web/messages', { customer, text: 'hi' })).body.conversation;
    const handed = await s.call('POST', `/v1/conversations/${conv.id}/handover`, { by: 'bot' });
    expect(handed.status).toBe(200);
    return conv.id as string;
  }

  it('lets only one of two agents take a conversation at once; the other is told who holds it', async () => {
    const id = await queued('c1');
    const [a, b] = await Promise.all([
      s!.call('POST', `/v1/conversations/${id}/assign`, { agentId: 'amy' }),
      s!.call('POST', `/v1/conversations/${id}/assign`, { agentId: 'ben' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const refused = a.status === 409 ? a : b;
    const winner = a.status === 200 ? 'amy' : 'ben';
    expect(refused.body).toMatchObject({ error: { code: 'conversation_taken', details: { agentId: winner } } });
    const events = (await s!.call('GET', `/v1/conversations/${id}/events`)).body.items.filter((e: any) => e.type === 'agent_session.assigned');
    expect(events.map((e: any) => e.data.agentId)).toEqual([winner]);
    // Taking it from them is a deliberate act.
    const loser = winner === 'amy' ? 'ben' : 'amy';
    expect((await s!.call('POST', `/v1/conversations/${id}/assign`, { agentId: loser, reassign: true })).status).toBe(200);
  });

  it('makes an answer to an unassigned conversation a take, with its event and its audit line', async () => {
    const id = await queued('c2');
    const sent = await s!.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'desk', authorKind: 'agent', agentId: 'amy', text: 'Amy here' });
    expect(sent.status).toBe(201);
    expect(sent.body.events.map((e: any) => e.type)).toEqual(['agent_session.assigned', 'message.sent']);
    const audit = (await s!.call('GET', '/v1/audit')).body.items.filter((e: any) => e.subject === id && e.action === 'assign');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: fingerprint(KEYS[0]!), details: { agentId: 'amy', via: 'reply' } });
  });

  it('refuses an agent that exists nowhere or in another account, and changes nothing', async () => {
    const id = await queued('c3');
    const before = (await s!.call('GET', `/v1/conversations/${id}/events`)).body.items.length;
    for (const agentId of ['nobody-at-all', 'zoe']) {
      const reply = await s!.call('POST', `/v1/conversations/${id}/replies`, { componentId: 'desk', authorKind: 'agent', agentId, text: 'hello' });
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ error: { code: 'agent_not_found' } });
      const assign = await s!.call('POST', `/v1/conversations/${id}/assign`, { agentId });
      expect(assign.body).toMatchObject({ error: { code: 'agent_not_found' } });
    }
    expect((await s!.call('GET', `/v1/conversations/${id}/events`)).body.items.length).toBe(before);
  });

  it('names the right credential in the audit log when many credentials act at once', async () => {
    s = await startServer(engine, CONFIG);
    const ids: string[] = [];
    for (let i = 0; i < KEYS.length; i++) {
      ids.push((await s.call('POST', '/v1/channels/web/messages', { customer: `many-${i}`, text: 'hi' }, { authorization: `Bearer ${KEYS[0]}` })).body.conversation.id);
    }
    // Each credential hands over its own conversation, all at once: group commit runs them together.
    const answers = await Promise.all(KEYS.map((key, i) => s!.call('POST', `/v1/conversations/${ids[i]}/handover`, { by: 'bot' }, { authorization: `Bearer ${key}` })));
    expect(answers.map((a) => a.status)).toEqual(KEYS.map(() => 200));
    const audit = (await s.call('GET', '/v1/audit?limit=100', undefined, { authorization: `Bearer ${KEYS[0]}` })).body.items.filter((e: any) => e.action === 'handover');
    expect(audit).toHaveLength(KEYS.length);
    for (const e of audit) expect(e.actor, e.subject).toBe(fingerprint(KEYS[ids.indexOf(e.subject)]!));
  });
});

/** A store whose transactions fail as in a database outage: after `skip` more succeed, the next `fail`. */
function failing(store: Store, plan: { skip: number; fail: number }): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'transaction') {
        return (fn: Parameters<Store['transaction']>[0]) => {
          if (plan.skip > 0) plan.skip--;
          else if (plan.fail > 0) {
            plan.fail--;
            return Promise.reject(new Error('database unavailable'));
          }
          return target.transaction(fn);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe.each(engines)('timers and sweeps that survive failures on $name', (engine) => {
  let h: EngineHandle | undefined;
  afterEach(async () => {
    await h?.dispose();
    h = undefined;
  });

  it('keeps a due timer when its command fails, and fires it on the next run', async () => {
    h = await engine.open();
    await applyConfig(h.store, validateConfig({ accounts: [{ ...CONFIG.accounts[0], channels: [{ id: 'web', kind: 'webchat' }] }] }));
    const clock = new ManualClock(new Date('2026-06-01T10:00:00Z'));
    const plan = { skip: 0, fail: 0 };
    const router = new Router(failing(h.store, plan), clock);
    const { conversation } = await router.receive({ accountId: 'acme', channelId: 'web', customer: 'v1', content: { type: 'text', text: 'hi' } });
    await router.setPresence('acme', 'amy', 'online');
    await router.command('acme', conversation.id, { type: 'handover', by: 'bot' });
    clock.advance(3 * 60_000);
    plan.fail = 1;
    await expect(router.runDueTimers()).rejects.toThrow('database unavailable');
    expect(await h.store.dueTimers(clock.now().toISOString(), 10)).toHaveLength(1);
    expect(await router.runDueTimers()).toBe(1);
    expect(await h.store.dueTimers(clock.now().toISOString(), 10)).toHaveLength(0);
    const conv = await h.store.getConversation('acme', conversation.id);
    expect(conv?.controller).toBe('bot');
  });

  it('resumes an emergency sweep that a failure cut short', async () => {
    h = await engine.open();
    await applyConfig(h.store, validateConfig(CONFIG));
    const clock = new ManualClock(new Date('2026-06-01T10:00:00Z'));
    const plan = { skip: 0, fail: 0 };
    const router = new Router(failing(h.store, plan), clock);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await router.receive({ accountId: 'acme', channelId: 'web', customer: `e${i}`, content: { type: 'text', text: 'hi' } })).conversation.id);
    // The switch commits; the sweep's first conversation then meets the outage.
    Object.assign(plan, { skip: 1, fail: 1 });
    await expect(router.setEmergency('acme', true)).rejects.toThrow('database unavailable');
    expect((await h.store.getAccount('acme'))?.emergency).toBe(true);
    expect(await h.store.listSweeps()).toEqual([expect.objectContaining({ accountId: 'acme', on: true })]);
    // At the next start the sweep goes on and every open conversation is with the humans.
    const restarted = new Router(h.store, clock);
    expect(await restarted.resumeSweeps()).toBe(1);
    for (const id of ids) expect((await h.store.getConversation('acme', id))?.controller).toBe('desk');
    expect(await h.store.listSweeps()).toEqual([]);
  });

  it('resumes a quiet switch-off quietly: the choice is kept with the sweep', async () => {
    h = await engine.open();
    await applyConfig(h.store, validateConfig(CONFIG));
    const clock = new ManualClock(new Date('2026-06-01T10:00:00Z'));
    const plan = { skip: 0, fail: 0 };
    const router = new Router(failing(h.store, plan), clock);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await router.receive({ accountId: 'acme', channelId: 'web', customer: `q${i}`, content: { type: 'text', text: 'hi' } })).conversation.id);
    await router.setEmergency('acme', true);
    Object.assign(plan, { skip: 1, fail: 1 });
    await expect(router.setEmergency('acme', false, 'system', 'quietly')).rejects.toThrow('database unavailable');
    expect(await h.store.listSweeps()).toEqual([expect.objectContaining({ accountId: 'acme', on: false, handBack: 'quietly' })]);
    expect(await new Router(h.store, clock).resumeSweeps()).toBe(1);
    for (const id of ids) {
      expect((await h.store.getConversation('acme', id))?.controller).toBe('bot');
      const handback = (await h.store.listEvents('acme', id, 0, 50)).find((e) => e.type === 'handback');
      expect(handback?.data).toMatchObject({ reason: 'emergency_ended', quiet: true });
    }
  });
});
