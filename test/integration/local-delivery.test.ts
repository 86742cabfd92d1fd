import { afterEach, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src/config/apply-config.js';
import { validateConfig } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/core/clock.js';
import { Router } from '../../src/core/router.js';
import { DeliveryAdmin } from '../../src/delivery/delivery-admin.js';
import { HttpSender } from '../../src/delivery/http-sender.js';
import { OutboxDispatcher } from '../../src/delivery/outbox-dispatcher.js';
import { OutboxStore } from '../../src/store/outbox-store.js';
import type { DeliveryContext, Renderer, RendererLookup } from '../../src/delivery/ports.js';
import { rendererLookup } from '../../src/dialects/index.js';
import { LocalLiveBus } from '../../src/live/live-bus.js';
import { type EngineHandle, engines } from '../helpers/engines.js';

const CONFIG = validateConfig({
  accounts: [{
    id: 'acme',
    channels: [{ id: 'site', kind: 'webchat' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox', retry: { schedule: ['5s'], jitter: 0 } }],
    services: [{ id: 'main', channels: ['site'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
  }],
});

/**
 * Recipients served in-process (the inbox, web chat visitors) have no URL: the dispatcher calls
 * their renderer's `deliver` instead of sending HTTP, in order, and records and retries it like
 * any attempt.
 */
describe.each(engines)('in-process delivery on $name', (engine) => {
  let h: EngineHandle | undefined;
  const sender = new HttpSender({ connectionsPerEndpoint: 1, connectTimeoutMs: 1000, addresses: { allowPrivate: false, allowLoopback: true } });
  afterEach(async () => {
    await h?.dispose();
    h = undefined;
  });

  it('delivers to a local handler without a URL, records a failed attempt, and retries it on schedule', async () => {
    h = await engine.open();
    const store = h.store;
    await applyConfig(store, CONFIG);
    const clock = new ManualClock();
    const router = new Router(store, clock);
    const desk: string[] = [];
    const visitor: string[] = [];
    let failures = 1;
    const inbox: Renderer = {
      render: () => null,
      async deliver(ctx: DeliveryContext) {
        if (failures-- > 0) throw new Error('socket hub not ready');
        desk.push(`${ctx.event.seq}:${ctx.event.type}`);
      },
    };
    const webchat: Renderer = { render: () => null, deliver: async (ctx) => void visitor.push(String(ctx.message?.content.text)) };
    const base = rendererLookup({ live: new LocalLiveBus() });
    const lookup: RendererLookup = (t) => (t.kind === 'component' && t.component.dialect === 'inbox' ? inbox : t.kind === 'channel' && t.channel.kind === 'webchat' ? webchat : base(t));
    const outbox = new OutboxStore(store);
    const dispatcher = new OutboxDispatcher(outbox, sender, lookup, clock, { batch: 8, leaseMs: 60_000, pollMs: 50, maxPerClaim: 50 }, null, null);
    const admin = new DeliveryAdmin(store, outbox, sender, lookup, clock, () => {});

    const first = await router.receive({ accountId: 'acme', channelId: 'site', customer: 'visitor-1', content: { type: 'text', text: 'hi' } });
    const conv = first.conversation.id;
    await dispatcher.drain();
    expect(desk).toEqual([]);
    const [failed] = await admin.list('acme', { targetId: 'inbox', limit: 10 }).then((l) => l.filter((d) => d.attempts > 0));
    expect(failed).toMatchObject({ state: 'pending', attempts: 1, lastError: 'socket hub not ready' });
    expect((await admin.get('acme', failed!.id)).attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: 'failed', statusCode: null, error: 'socket hub not ready' })]);

    clock.advance(5000);
    await dispatcher.drain();
    expect(desk.map((d) => d.split(':')[1])).toEqual(['conversation.opened', 'agent_session.opened', 'message.received']);

    await router.reply('acme', conv, { componentId: 'inbox', authorKind: 'agent', agentId: 'alice', content: { type: 'text', text: 'hello from the desk' } });
    await dispatcher.drain();
    expect(visitor).toEqual(['hello from the desk']);
    const all = await admin.list('acme', { conversationId: conv, limit: 50 });
    expect(all.filter((d) => d.state !== 'delivered')).toEqual([]);
    expect(all.some((d) => d.target.kind === 'channel' && d.eventType === 'message.sent')).toBe(true);
  });
});
