import { type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type RootOperationNode } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { AgentSession, Conversation } from '../../src/core/conversation.js';
import { Queries } from '../../src/core/queries.js';
import { deskFigureReads } from '../../src/store/agent-session-facts.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { aConversation, anAccount, anAgent, at } from '../helpers/builders-store.js';
import { engines, freshStorePerTest } from '../helpers/engines.js';

const MIN = 60_000;

function session(id: string, openedAt: string, over: Partial<AgentSession> = {}): AgentSession {
  return { id, status: 'queued', desk: 'inbox', team: null, agentId: null, note: null, context: {}, reason: 'bot', hadAgentReply: false, openedAt, closedAt: null, closeReason: null, ...over };
}

/**
 * One conversation's life as the commands would write it: each step is the conversation at a
 * moment (its `updatedAt` the command's clock), written over the one before.
 */
async function live(store: KyselyStore, id: string, steps: { at: string; s: Partial<AgentSession> }[], over: Partial<Conversation> = {}): Promise<void> {
  let prev: Conversation | null = null;
  let s: AgentSession | null = null;
  for (const step of steps) {
    s = s === null ? session(`s-${id}`, step.at, step.s) : { ...(s as AgentSession), ...step.s };
    const conv: Conversation = aConversation({ id, customer: `v-${id}`, controller: 'desk', agentSession: s, createdAt: steps[0]!.at, updatedAt: step.at, ...over });
    const before = prev;
    await store.transaction(async (tx) => (before ? tx.updateConversation(conv, before) : void (await tx.insertConversation(conv))));
    prev = conv;
  }
}

describe.each(engines)('desk figures in the store on $name', (engine) => {
  const handle = freshStorePerTest(engine);

  async function world(store: KyselyStore) {
    await store.transaction(async (tx) => {
      await tx.upsertAccount(anAccount(), []);
      await tx.upsertAccount(anAccount({ id: 'globex', name: 'Globex' }), []);
      for (const a of [anAgent({ id: 'alice', name: 'Alice' }), anAgent({ id: 'bob', name: 'Bob' }), anAgent({ id: 'carol', name: 'Carol' }), anAgent({ accountId: 'globex', id: 'mallory', name: 'Mallory' })]) await tx.upsertAgent(a, null);
    });
    // Waits (handover to first take): a 4 min, b 2 min, h 6 min. First answers: a 2 min after its take, b 1 min, e 2 min.
    await live(store, 'a', [{ at: at(0), s: {} }, { at: at(4), s: { agentId: 'alice', status: 'assigned' } }, { at: at(6), s: { hadAgentReply: true, replies: 1 } }, { at: at(7), s: { replies: 2 } }, { at: at(10), s: { status: 'closed', closedAt: at(10), closeReason: 'closed' } }]);
    await live(store, 'b', [{ at: at(1), s: {} }, { at: at(3), s: { agentId: 'bob', status: 'assigned' } }, { at: at(4), s: { hadAgentReply: true, replies: 1 } }]);
    await live(store, 'c', [{ at: at(2), s: {} }]);
    await live(store, 'd', [{ at: at(3), s: {} }]);
    // A takeover: no wait, but a take and a first answer.
    await live(store, 'e', [{ at: at(5), s: { agentId: 'alice', status: 'assigned', reason: 'takeover' } }, { at: at(7), s: { hadAgentReply: true, replies: 1 } }]);
    // Taken, then reassigned: the first take keeps its time and its taker.
    await live(store, 'h', [{ at: at(6), s: {} }, { at: at(12), s: { agentId: 'bob', status: 'assigned' } }, { at: at(13), s: { agentId: 'carol' } }]);
    // Another team's queue, and another account's, are not this team's.
    await live(store, 'g', [{ at: at(0), s: { team: 'sales' } }], { team: 'sales' });
    await live(store, 'x', [{ at: at(0), s: {} }, { at: at(1), s: { agentId: 'mallory', status: 'assigned' } }], { accountId: 'globex' });
  }

  it('reports handovers, waits, first answers and each agent\'s takes and closes for a period', async () => {
    const store = handle().store;
    await world(store);
    const queries = new Queries(store);
    const now = new Date(Date.parse(at(60)));
    const report = await queries.deskReport('acme', '7d', now);
    expect(report).toEqual({
      period: '7d',
      since: new Date(now.getTime() - 7 * 86_400_000).toISOString(),
      until: now.toISOString(),
      handedOver: 6, // a, b, c, d, h and g; the takeover e aside
      taken: 4, // a, b, h (by its first taker only) and the takeover e
      waitMedianMs: 4 * MIN, // of 2, 4 and 6 minutes
      waitP90Ms: 6 * MIN,
      firstResponseMedianMs: 2 * MIN, // of 1, 2 and 2 minutes
      agents: [
        { id: 'alice', name: 'Alice', taken: 2, closed: 1, firstResponseMedianMs: 2 * MIN }, // a and e, 2 minutes each
        { id: 'bob', name: 'Bob', taken: 2, closed: 0, firstResponseMedianMs: 1 * MIN }, // b; h has no answer yet
        { id: 'carol', name: 'Carol', taken: 0, closed: 0, firstResponseMedianMs: null },
      ],
      sampled: false,
    });
    // Today is since midnight UTC: T0 is 09:00, so the same figures.
    expect((await queries.deskReport('acme', 'today', now)).handedOver).toBe(6);
    // A week later nothing of it is in the last 7 days, and nothing is invented.
    const later = await queries.deskReport('acme', '7d', new Date(Date.parse(at(8 * 24 * 60))));
    expect(later).toMatchObject({ handedOver: 0, taken: 0, waitMedianMs: null, waitP90Ms: null, firstResponseMedianMs: null });
    expect(later.agents.map((a) => [a.id, a.taken, a.closed])).toEqual([['alice', 0, 0], ['bob', 0, 0], ['carol', 0, 0]]);
    // The other account sees only its own.
    expect((await queries.deskReport('globex', '7d', now)).agents).toEqual([{ id: 'mallory', name: 'Mallory', taken: 1, closed: 0, firstResponseMedianMs: null }]);
  }, 60_000);

  it('places a queued chat behind the older ones of its team and gives the team\'s median wait', async () => {
    const store = handle().store;
    await world(store);
    const queries = new Queries(store);
    const now = new Date(Date.parse(at(60)));
    const conv = async (id: string) => (await queries.conversation('acme', id));
    expect(await queries.queueStanding(await conv('c'), now)).toEqual({ position: 1, typicalWaitMs: 4 * MIN });
    expect(await queries.queueStanding(await conv('d'), now)).toEqual({ position: 2, typicalWaitMs: 4 * MIN });
    // The sales team has taken nothing yet: its first chat is told its place and no wait.
    expect(await queries.queueStanding(await conv('g'), now)).toEqual({ position: 1, typicalWaitMs: null });
    // Taken chats are not in the queue.
    expect(await queries.queueStanding(await conv('b'), now)).toBeNull();
    // Once c is taken, d is next.
    await live(store, 'c', [{ at: at(2), s: {} }, { at: at(61), s: { agentId: 'alice', status: 'assigned' } }]);
    expect(await queries.queueStanding(await conv('d'), now)).toMatchObject({ position: 1 });
  }, 60_000);

  // PostgreSQL's planner rightly reads small test tables whole, so only SQLite's plans say which index a query would use.
  it.runIf(engine.name === 'sqlite')('reads through indexes only: no query scans a table', async () => {
    const store = handle().store;
    await world(store);
    const nodes: RootOperationNode[] = [];
    const recorder: KyselyPlugin = {
      transformQuery: (args: PluginTransformQueryArgs) => (nodes.push(args.node), args.node),
      transformResult: async (args: PluginTransformResultArgs) => args.result,
    };
    const reads = deskFigureReads(store.kysely.withPlugin(recorder));
    await reads.countQueuedAhead('acme', 's-d', 1000);
    await reads.latestTaken('acme', null, at(0), 50);
    await reads.sessionsOpened('acme', at(0), at(60), 100);
    await reads.agentTallies('acme', at(0), at(60));
    expect(nodes.length).toBeGreaterThanOrEqual(7);
    const executor = store.kysely.getExecutor();
    for (const node of nodes) {
      const q = executor.compileQuery(node, { queryId: 'plan' });
      const res = await store.kysely.withoutPlugins().executeQuery<{ detail: string }>({ sql: `explain query plan ${q.sql}`, parameters: q.parameters, query: { kind: 'RawNode' } as never, queryId: { queryId: 'plan' } });
      const details = res.rows.map((r) => r.detail);
      expect(details.filter((d) => /^SCAN agent_sessions/.test(d)), q.sql).toEqual([]);
    }
  }, 60_000);
});
