import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { AgentHub } from '../../src/inbox/agent-hub.js';
import { LocalLiveBus } from '../../src/live/live-bus.js';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  sent: any[] = [];
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  ping() {}
  close() {
    this.readyState = 3;
    this.emit('close');
  }
}
const socket = () => new FakeSocket() as FakeSocket & WebSocket;

describe('AgentHub: the inbox pages of one process', () => {
  afterEach(() => vi.useRealTimers());

  it('forwards live updates to the agents of the account only, without the account id', async () => {
    const bus = new LocalLiveBus();
    const hub = new AgentHub(bus, async () => {});
    const alice = socket();
    const bob = socket();
    hub.add('acme', 'alice', alice);
    hub.add('globex', 'bob', bob);
    await bus.publish({ accountId: 'acme', topic: 'conversation', conversationId: 'c-1', seq: 2, type: 'message.received' });
    await bus.publish({ accountId: 'acme', topic: 'visitor', conversationId: 'c-1', messageId: 'm-1' });
    expect(alice.sent).toEqual([{ topic: 'hello' }, { topic: 'conversation', conversationId: 'c-1', seq: 2, type: 'message.received' }]);
    expect(bob.sent).toEqual([{ topic: 'hello' }]);
    hub.close();
  });

  it('sets an agent away only when their last page stayed closed for the grace period', async () => {
    vi.useFakeTimers();
    const away: string[] = [];
    const hub = new AgentHub(new LocalLiveBus(), async (_account, agent) => void away.push(agent), 60_000);
    const tab1 = socket();
    const tab2 = socket();
    hub.add('acme', 'alice', tab1);
    hub.add('acme', 'alice', tab2);
    tab1.close();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(away).toEqual([]);
    tab2.close();
    await vi.advanceTimersByTimeAsync(30_000);
    hub.add('acme', 'alice', socket()); // came back in time (a reload)
    await vi.advanceTimersByTimeAsync(120_000);
    expect(away).toEqual([]);
    const last = socket();
    hub.add('acme', 'amos', last);
    last.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(away).toEqual(['amos']);
    hub.close();
  });
});
