import { type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type RootOperationNode } from 'kysely';
import { describe, expect, it } from 'vitest';
import { InboxSearchStore } from '../../src/store/inbox-search.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { aConversation, aMessage } from '../helpers/builders-store.js';
import { engines, freshStorePerTest } from '../helpers/engines.js';

const N = 1300;
const at = (i: number) => new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 1000).toISOString();
const id = (i: number) => `c-${String(i).padStart(4, '0')}`;

// The search reads a bounded number of conversations per request however many the account has:
// a match older than that is one `next` away, never a scan of the whole store.
describe.each(engines)('inbox search in the store on $name', (engine) => {
  const handle = freshStorePerTest(engine);

  it('looks at the most recent conversations first, a bounded number per request, and goes on with next', async () => {
    const store = handle().store;
    await store.transaction(async (tx) => {
      for (let i = 0; i < N; i++) {
        await tx.insertConversation(aConversation({ id: id(i), customer: `visitor-${i}`, visitor: {}, botSession: null, updatedAt: at(i), createdAt: at(i) }));
        await tx.insertMessage(aMessage({ conversationId: id(i), id: `m-${i}`, content: { type: 'text', text: i === 0 ? 'The zebra crossing is blocked' : `message number ${i}` }, createdAt: at(i) }), 'web');
      }
      await tx.insertConversation(aConversation({ accountId: 'globex', id: 'g-1', customer: 'visitor-0', updatedAt: at(N), createdAt: at(N) }));
      await tx.insertMessage(aMessage({ accountId: 'globex', conversationId: 'g-1', id: 'gm-1', content: { type: 'text', text: 'zebra at globex' }, createdAt: at(N) }), 'web');
    });
    const search = new InboxSearchStore(store);

    const first = await search.search('acme', { text: 'ZEBRA', limit: 20 });
    expect(first.hits).toEqual([]);
    expect(first.scanned).toBe(1000);
    expect(first.next).not.toBeNull();
    const second = await search.search('acme', { text: 'zebra', limit: 20, after: first.next! });
    expect(second).toEqual({ hits: [{ conversationId: id(0), field: 'message', snippet: 'The zebra crossing is blocked' }], next: null, scanned: N - 1000 });

    // Recent first, and a page ends where its last hit is.
    const recent = await search.search('acme', { text: 'message number 12', limit: 3 });
    expect(recent.hits.map((h) => h.conversationId)).toEqual([id(1299), id(1298), id(1297)]);
    const more = await search.search('acme', { text: 'message number 12', limit: 3, after: recent.next! });
    expect(more.hits.map((h) => h.conversationId)).toEqual([id(1296), id(1295), id(1294)]);

    // Another account's conversation with the same customer and the same word is not seen.
    expect((await search.search('globex', { text: 'zebra', limit: 20 })).hits.map((h) => h.conversationId)).toEqual(['g-1']);
    expect(await search.customerConversations('acme', 'visitor-0', 5)).toEqual([id(0)]);
    expect(await search.customerConversations('globex', 'visitor-0', 5)).toEqual(['g-1']);
  }, 120_000);

  // PostgreSQL's planner rightly reads small test tables whole, so only SQLite's plans say which index a query would use.
  it.runIf(engine.name === 'sqlite')('reads through indexes only: no query scans a table', async () => {
    const store = handle().store;
    await store.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) {
        await tx.insertConversation(aConversation({ id: id(i), customer: 'visitor-0', visitor: i === 1 ? { name: 'Zebra Jones' } : {}, updatedAt: at(i), createdAt: at(i) }));
        await tx.insertMessage(aMessage({ conversationId: id(i), id: `m-${i}`, content: { type: 'text', text: i === 2 ? 'a zebra' : 'hello' }, createdAt: at(i) }), 'web');
      }
    });
    const nodes: RootOperationNode[] = [];
    const recorder: KyselyPlugin = {
      transformQuery: (args: PluginTransformQueryArgs) => (nodes.push(args.node), args.node),
      transformResult: async (args: PluginTransformResultArgs) => args.result,
    };
    const search = new InboxSearchStore({ kysely: store.kysely.withPlugin(recorder) } as unknown as KyselyStore);
    await search.search('acme', { text: 'zebra', status: 'open', assignee: 'unassigned', limit: 5 });
    await search.search('acme', { limit: 5 });
    await search.customerConversations('acme', 'visitor-0', 5);
    expect(nodes.length).toBeGreaterThanOrEqual(6); // windows, field and message matches, states, the customer's list
    const executor = store.kysely.getExecutor();
    for (const node of nodes) {
      const q = executor.compileQuery(node, { queryId: 'plan' });
      const details = await explain(store, q.sql, q.parameters);
      expect(details.join(' | '), q.sql).toMatch(/USING (COVERING )?INDEX/);
      expect(details.filter((d) => /^SCAN /.test(d)), q.sql).toEqual([]);
      // Only a read with a LIMIT in recency order may range over the whole account (the windows).
      if (!/order by "updated_at" desc, "id" desc limit/.test(q.sql) || /"customer" =/.test(q.sql)) expect(details.join(' | '), q.sql).not.toMatch(/\(account_id=\?\)/);
    }
  }, 60_000);
});

/** SQLite's plan of one statement, with its parameters bound. */
async function explain(store: KyselyStore, text: string, parameters: readonly unknown[]): Promise<string[]> {
  const res = await store.kysely.withoutPlugins().executeQuery<{ detail: string }>({ sql: `explain query plan ${text}`, parameters, query: { kind: 'RawNode' } as never, queryId: { queryId: 'plan' } });
  return res.rows.map((r) => r.detail);
}
