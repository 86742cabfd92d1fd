import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/core/conversation.js';
import { BatonError } from '../../src/core/errors.js';
import { type ConversationFilter, type StoreTx, WriteConflict } from '../../src/core/ports.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SessionStore } from '../../src/store/login-sessions.js';
import { LocalLiveBus, type LivePayload } from '../../src/live/live-bus.js';
import { aChannel, aComponent, aConversation, aDelivery, aMessage, aService, aTimer, anAccount, anAgent, anEvent, at } from '../helpers/builders-store.js';
import { type EngineHandle, engines, freshStorePerTest } from '../helpers/engines.js';

describe.each(engines)('store contract on $name', (engine) => {
  const handle = freshStorePerTest(engine);
  const store = () => handle().store;
  const write = <T>(fn: (tx: StoreTx) => Promise<T>) => store().transaction(fn);

  describe('migrations', () => {
    it('applies every migration to a new database, then finds nothing more to do', async () => {
      const bare = await engine.openUnmigrated();
      try {
        const pending = await bare.store.pendingMigrations();
        expect(pending.length).toBeGreaterThan(0);
        expect((await bare.store.migrate()).applied).toEqual(pending);
        expect(await bare.store.pendingMigrations()).toEqual([]);
      } finally {
        await bare.dispose();
      }
    });

    it('treats a second migrate as a no-op and answers ping', async () => {
      expect(await store().migrate()).toEqual({ applied: [] });
      expect(await store().pendingMigrations()).toEqual([]);
      await expect(store().ping()).resolves.toBeUndefined();
      expect(store().engine).toBe(engine.name);
    });
  });

  describe('accounts', () => {
    it('stores an account and finds it by the hash of one of its api keys', async () => {
      const account = anAccount();
      await write((tx) => tx.upsertAccount(account, ['hash-1', 'hash-2']));
      expect(await store().getAccount('acme')).toEqual(account);
      expect(await store().accountIdForKey('hash-2')).toBe('acme');
      expect(await store().accountIdForKey('hash-unknown')).toBeUndefined();
      expect(await store().getAccount('nobody')).toBeUndefined();
    });

    it('replaces the api keys on a second upsert, so a revoked key stops working', async () => {
      await write((tx) => tx.upsertAccount(anAccount(), ['old']));
      await write((tx) => tx.upsertAccount(anAccount(), ['new']));
      expect(await store().accountIdForKey('old')).toBeUndefined();
      expect(await store().accountIdForKey('new')).toBe('acme');
    });

    it('keeps the emergency switch when the configuration is applied again', async () => {
      await write((tx) => tx.upsertAccount(anAccount(), []));
      await write((tx) => tx.setAccountEmergency('acme', true));
      await write((tx) => tx.upsertAccount(anAccount({ name: 'Acme Ltd', emergency: false, reopenPolicy: 'bot-first' }), []));
      expect(await store().getAccount('acme')).toEqual(anAccount({ name: 'Acme Ltd', emergency: true, reopenPolicy: 'bot-first' }));
      await write((tx) => tx.setAccountEmergency('acme', false));
      expect((await store().getAccount('acme'))?.emergency).toBe(false);
    });

    it('lists accounts in id order', async () => {
      await write(async (tx) => {
        for (const id of ['zeta', 'acme', 'mid']) await tx.upsertAccount(anAccount({ id, name: id }), []);
      });
      expect((await store().listAccounts()).map((a) => a.id)).toEqual(['acme', 'mid', 'zeta']);
    });
  });

  describe('channels', () => {
    it('stores, updates and lists channels', async () => {
      await write(async (tx) => {
        await tx.upsertChannel(aChannel({ id: 'wa' }));
        await tx.upsertChannel(aChannel({ id: 'cm', kind: 'cm' }));
      });
      const changed = aChannel({ id: 'wa', kind: 'omnichannel', active: false, credentials: { token: 't1' }, outboundUrl: 'http://127.0.0.1:9/out' });
      await write((tx) => tx.upsertChannel(changed));
      expect(await store().getChannel('acme', 'wa')).toEqual(changed);
      expect((await store().listChannels('acme')).map((c) => c.id)).toEqual(['cm', 'wa']);
      expect(await store().getChannel('acme', 'nope')).toBeUndefined();
    });

    it('keeps the run-time switch when the same configuration is applied again; a changed `active` in the configuration wins', async () => {
      const active = async () => (await store().getChannel('acme', 'web'))!.active;
      await write((tx) => tx.upsertChannel(aChannel({ active: true })));
      expect(await write((tx) => tx.setChannelActive('acme', 'web', false))).toBe(true);
      await write((tx) => tx.upsertChannel(aChannel({ active: true, address: 'acme-web-2' })));
      expect(await store().getChannel('acme', 'web')).toMatchObject({ active: false, address: 'acme-web-2' });
      await write((tx) => tx.upsertChannel(aChannel({ active: false })));
      expect(await active()).toBe(false);
      await write((tx) => tx.setChannelActive('acme', 'web', true));
      await write((tx) => tx.upsertChannel(aChannel({ active: false })));
      expect(await active()).toBe(true);
      await write((tx) => tx.upsertChannel(aChannel({ active: true })));
      await write((tx) => tx.upsertChannel(aChannel({ active: false })));
      expect(await active()).toBe(false);
      expect(await write((tx) => tx.setChannelActive('acme', 'nope', true))).toBe(false);
      expect(await write((tx) => tx.setChannelActive('other', 'web', true))).toBe(false);
    });

    it('records a reachability check, keeps it when the configuration is applied again, and replaces it with the next one', async () => {
      await write((tx) => tx.upsertChannel(aChannel({ kind: 'omnichannel' })));
      expect(await store().getChannel('acme', 'web')).not.toHaveProperty('reachability');
      const down = { warning: 'Can\'t reach channel: ECONNREFUSED', checkedAt: at(1) };
      await write((tx) => tx.recordChannelReachability('acme', 'web', down));
      // A channel object carrying a reachability does not write it: only checks do.
      await write((tx) => tx.upsertChannel(aChannel({ kind: 'omnichannel', outboundUrl: 'http://127.0.0.1:9/client', reachability: { warning: null, checkedAt: at(9) } })));
      expect(await store().getChannel('acme', 'web')).toEqual(aChannel({ kind: 'omnichannel', outboundUrl: 'http://127.0.0.1:9/client', reachability: down }));
      await write((tx) => tx.recordChannelReachability('acme', 'web', { warning: null, checkedAt: at(2) }));
      expect((await store().listChannels('acme'))[0]!.reachability).toEqual({ warning: null, checkedAt: at(2) });
      await write((tx) => tx.recordChannelReachability('other', 'web', down));
      expect((await store().getChannel('acme', 'web'))!.reachability).toEqual({ warning: null, checkedAt: at(2) });
    });
  });

  describe('components', () => {
    it('stores, updates and lists components', async () => {
      await write(async (tx) => {
        await tx.upsertComponent(aComponent({ id: 'inbox', kind: 'desk' }));
        await tx.upsertComponent(aComponent());
      });
      const changed = aComponent({ url: 'http://127.0.0.1:9/bot2', options: { imiKind: 'generic' } });
      await write((tx) => tx.upsertComponent(changed));
      expect(await store().getComponent('acme', 'CmBot')).toEqual(changed);
      expect((await store().listComponents('acme')).map((c) => c.id)).toEqual(['CmBot', 'inbox']);
      expect(await store().getComponent('acme', 'nope')).toBeUndefined();
    });

    it('does not reset the health the delivery machinery set when the configuration is applied again', async () => {
      await write((tx) => tx.upsertComponent(aComponent({ health: 'unverified' })));
      await store().kysely.updateTable('components').set({ health: 'inactive' }).where('id', '=', 'CmBot').execute();
      await write((tx) => tx.upsertComponent(aComponent({ health: 'active', url: 'http://127.0.0.1:9/fixed' })));
      expect(await store().getComponent('acme', 'CmBot')).toMatchObject({ health: 'inactive', url: 'http://127.0.0.1:9/fixed' });
    });
  });

  describe('services', () => {
    it('keeps the order given to replaceServices and drops services left out', async () => {
      const zz = aService({ id: 'zz' });
      const aa = aService({ id: 'aa', channels: ['wa'] });
      const mm = aService({ id: 'mm', rules: [] });
      await write((tx) => tx.replaceServices('acme', [zz, aa, mm]));
      expect(await store().listServices('acme')).toEqual([zz, aa, mm]);
      await write((tx) => tx.replaceServices('acme', [mm, zz]));
      expect(await store().listServices('acme')).toEqual([mm, zz]);
      await write((tx) => tx.replaceServices('acme', []));
      expect(await store().listServices('acme')).toEqual([]);
    });

    it("leaves another account's services alone", async () => {
      await write(async (tx) => {
        await tx.replaceServices('beta', [aService({ accountId: 'beta', id: 'b1' })]);
        await tx.replaceServices('acme', [aService()]);
        await tx.replaceServices('acme', []);
      });
      expect((await store().listServices('beta')).map((s) => s.id)).toEqual(['b1']);
    });
  });

  describe('agents', () => {
    it('stores agents and keeps the presence set at run time when the configuration is applied again', async () => {
      await write((tx) => tx.upsertAgent(anAgent(), null));
      await write((tx) => tx.setAgentPresence('acme', 'alice', 'online'));
      await write((tx) => tx.upsertAgent(anAgent({ name: 'Alice B', teams: ['support'], categories: ['AGENT'], presence: 'offline' }), null));
      expect(await store().getAgent('acme', 'alice')).toEqual(anAgent({ name: 'Alice B', teams: ['support'], categories: ['AGENT'], presence: 'online' }));
      expect(await store().getAgent('acme', 'nobody')).toBeUndefined();
    });

    it('lists agents in id order', async () => {
      await write(async (tx) => {
        for (const id of ['carol', 'alice', 'bob']) await tx.upsertAgent(anAgent({ id }), null);
      });
      expect((await store().listAgents('acme')).map((a) => a.id)).toEqual(['alice', 'bob', 'carol']);
    });

    it('gives the password hash, or null without one, and follows a changed configuration', async () => {
      await write(async (tx) => {
        await tx.upsertAgent(anAgent({ id: 'alice' }), null);
        await tx.upsertAgent(anAgent({ id: 'bob' }), 'hash-b');
      });
      expect(await store().agentPasswordHash('acme', 'bob')).toBe('hash-b');
      expect(await store().agentPasswordHash('acme', 'alice')).toBeNull();
      expect(await store().agentPasswordHash('acme', 'nobody')).toBeNull();
      await write((tx) => tx.upsertAgent(anAgent({ id: 'bob' }), 'hash-b2'));
      expect(await store().agentPasswordHash('acme', 'bob')).toBe('hash-b2');
    });

    it('counts online agents by team and category; an agent with no categories takes any', async () => {
      await write(async (tx) => {
        await tx.upsertAgent(anAgent({ id: 'a1', teams: ['sales'], categories: ['AGENT'], presence: 'online' }), null);
        await tx.upsertAgent(anAgent({ id: 'a2', teams: ['support'], categories: [], presence: 'online' }), null);
        await tx.upsertAgent(anAgent({ id: 'a3', teams: ['sales'], categories: ['AGENT'], presence: 'away' }), null);
        await tx.upsertAgent(anAgent({ id: 'a4', teams: ['sales', 'support'], categories: [], presence: 'offline' }), null);
      });
      const count = (team: string | null, category: string | null) => store().countAvailableAgents('acme', team, category);
      expect(await count(null, null)).toBe(2);
      expect(await count('sales', null)).toBe(1);
      expect(await count('support', null)).toBe(1);
      expect(await count('billing', null)).toBe(0);
      expect(await count(null, 'AGENT')).toBe(2);
      expect(await count(null, 'VIP')).toBe(1);
      expect(await count('sales', 'VIP')).toBe(0);
      await write((tx) => tx.setAgentPresence('acme', 'a3', 'online'));
      expect(await count('sales', 'AGENT')).toBe(2);
    });
  });

  describe('conversations', () => {
    it('inserts once: a second insert of the same id returns false and changes nothing', async () => {
      const first = aConversation();
      expect(await write((tx) => tx.insertConversation(first))).toBe(true);
      expect(await write((tx) => tx.insertConversation(aConversation({ customer: 'someone-else', lastSeq: 9 })))).toBe(false);
      expect(await store().getConversation('acme', first.id)).toEqual(first);
      expect(await store().getConversation('acme', 'c-none')).toBeUndefined();
    });

    it('sees its own insert inside the transaction', async () => {
      const seen = await write(async (tx) => {
        await tx.insertConversation(aConversation());
        return tx.getConversation('acme', 'c-0001');
      });
      expect(seen).toEqual(aConversation());
    });

    it('locks and returns the conversation, or undefined when there is none', async () => {
      await write((tx) => tx.insertConversation(aConversation()));
      const [found, missing] = await write(async (tx) => [await tx.lockConversation('acme', 'c-0001'), await tx.lockConversation('acme', 'c-none')]);
      expect(found).toEqual(aConversation());
      expect(missing).toBeUndefined();
    });

    it('updates the whole conversation, and the columns queries filter on follow', async () => {
      await write((tx) => tx.insertConversation(aConversation()));
      const handed: Conversation = {
        ...aConversation(),
        controller: 'desk',
        controlVersion: 2,
        team: 'sales',
        agentSession: { id: 'as-0001', status: 'queued', desk: 'inbox', team: 'sales', agentId: null, note: null, context: {}, reason: 'handover', hadAgentReply: false, openedAt: at(1), closedAt: null, closeReason: null },
        lastSeq: 3,
        updatedAt: at(1),
      };
      await write((tx) => tx.updateConversation(handed));
      expect(await store().getConversation('acme', 'c-0001')).toEqual(handed);
      expect((await store().listConversations('acme', { controller: 'desk', team: 'sales', limit: 10 })).items).toEqual([handed]);
      expect((await store().listConversations('acme', { controller: 'bot', limit: 10 })).items).toEqual([]);

      await write((tx) => tx.updateConversation({ ...handed, status: 'closed', updatedAt: at(2) }));
      expect((await store().listConversations('acme', { status: 'open', limit: 10 })).items).toEqual([]);
      expect((await store().listConversations('acme', { status: 'closed', limit: 10 })).items.map((c) => c.id)).toEqual(['c-0001']);
    });

    it('finds a conversation by its bot session and by its agent session', async () => {
      await write((tx) => tx.insertConversation(aConversation()));
      expect((await store().findConversationByBotSession('acme', 'bs-0001'))?.id).toBe('c-0001');
      expect(await store().findConversationByAgentSession('acme', 'as-0001')).toBeUndefined();

      const agentSession = { id: 'as-0001', status: 'assigned' as const, desk: 'inbox', team: null, agentId: 'alice', note: null, context: {}, reason: 'handover', hadAgentReply: false, openedAt: at(1), closedAt: null, closeReason: null };
      const next = { ...aConversation(), botSession: { id: 'bs-0002', componentId: 'CmBot', openedAt: at(1) }, agentSession, updatedAt: at(1) };
      await write((tx) => tx.updateConversation(next));
      expect(await store().findConversationByAgentSession('acme', 'as-0001')).toEqual(next);
      expect(await store().findConversationByBotSession('acme', 'bs-0002')).toEqual(next);
      expect(await store().findConversationByBotSession('acme', 'bs-none')).toBeUndefined();
    });

    describe('listing', () => {
      const mix = [
        aConversation({ id: 'c-01', status: 'open', controller: 'bot', team: null, updatedAt: at(1) }),
        aConversation({ id: 'c-02', status: 'open', controller: 'desk', team: 'sales', updatedAt: at(2) }),
        aConversation({ id: 'c-03', status: 'closed', controller: 'desk', team: 'sales', updatedAt: at(3) }),
        aConversation({ id: 'c-04', status: 'open', controller: 'desk', team: 'support', updatedAt: at(4) }),
        aConversation({ id: 'c-05', status: 'open', controller: 'none', team: null, updatedAt: at(5) }),
        aConversation({ id: 'c-06', status: 'closed', controller: 'bot', team: null, updatedAt: at(6) }),
      ];
      const ids = async (filter: ConversationFilter) => (await store().listConversations('acme', filter)).items.map((c) => c.id);

      it('filters by status, team and controller, newest first', async () => {
        await write(async (tx) => {
          for (const c of mix) await tx.insertConversation(c);
        });
        expect(await ids({ limit: 10 })).toEqual(['c-06', 'c-05', 'c-04', 'c-03', 'c-02', 'c-01']);
        expect(await ids({ status: 'open', limit: 10 })).toEqual(['c-05', 'c-04', 'c-02', 'c-01']);
        expect(await ids({ status: 'closed', limit: 10 })).toEqual(['c-06', 'c-03']);
        expect(await ids({ team: 'sales', limit: 10 })).toEqual(['c-03', 'c-02']);
        expect(await ids({ controller: 'desk', limit: 10 })).toEqual(['c-04', 'c-03', 'c-02']);
        expect(await ids({ controller: 'desk', status: 'open', team: 'sales', limit: 10 })).toEqual(['c-02']);
        expect(await ids({ controller: 'none', limit: 10 })).toEqual(['c-05']);
      });

      it('pages with a cursor through every conversation once, ties in updatedAt included', async () => {
        // Three conversations share each instant, so a cursor on the time alone would skip or repeat some.
        const all = Array.from({ length: 23 }, (_, i) => aConversation({ id: `c-${String(i).padStart(2, '0')}`, status: i % 5 === 4 ? 'closed' : 'open', updatedAt: at(Math.floor(i / 3)) }));
        await write(async (tx) => {
          for (const c of [...all].reverse()) await tx.insertConversation(c);
        });
        for (const status of [undefined, 'open' as const]) {
          const expected = await ids({ ...(status ? { status } : {}), limit: 100 });
          const seen: string[] = [];
          let after: string | null = null;
          let pages = 0;
          do {
            const page: { items: Conversation[]; next: string | null } = await store().listConversations('acme', { ...(status ? { status } : {}), limit: 4, ...(after ? { after } : {}) });
            expect(page.items.length).toBeLessThanOrEqual(4);
            seen.push(...page.items.map((c) => c.id));
            after = page.next;
            pages += 1;
          } while (after && pages < 20);
          expect(seen).toEqual(expected);
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen.length).toBe(status ? 19 : 23);
          expect(pages).toBe(Math.ceil(seen.length / 4));
        }
      });

      it('gives no next cursor when the page holds the last conversation', async () => {
        await write(async (tx) => {
          for (const c of mix.slice(0, 4)) await tx.insertConversation(c);
        });
        expect((await store().listConversations('acme', { limit: 4 })).next).toBeNull();
        expect((await store().listConversations('acme', { limit: 3 })).next).not.toBeNull();
      });

      it('refuses a cursor it did not hand out with bad_request', async () => {
        const forged = [
          'not a cursor',
          Buffer.from('{"at":"x"}').toString('base64url'),
          Buffer.from('[1,2]').toString('base64url'),
          Buffer.from('["only-one"]').toString('base64url'),
        ];
        for (const after of forged) {
          const attempt = store().listConversations('acme', { after, limit: 5 });
          await expect(attempt).rejects.toBeInstanceOf(BatonError);
          await expect(attempt).rejects.toMatchObject({ code: 'bad_request' });
        }
      });
    });

    it('hands out the ids of open conversations in id order, in batches', async () => {
      const open = ['c-01', 'c-02', 'c-04', 'c-05', 'c-06', 'c-08', 'c-09'];
      await write(async (tx) => {
        for (const id of ['c-09', 'c-03', 'c-05', 'c-01', 'c-07', 'c-02', 'c-08', 'c-04', 'c-06']) {
          await tx.insertConversation(aConversation({ id, status: open.includes(id) ? 'open' : 'closed' }));
        }
      });
      const batches: string[][] = [];
      let after: string | null = null;
      for (;;) {
        const batch = await store().listOpenConversationIds('acme', after, 3);
        if (batch.length === 0) break;
        batches.push(batch);
        after = batch[batch.length - 1]!;
      }
      expect(batches).toEqual([['c-01', 'c-02', 'c-04'], ['c-05', 'c-06', 'c-08'], ['c-09']]);
    });
  });

  describe('events', () => {
    it('lists events after a sequence number, in order, up to a limit, and gets one by seq', async () => {
      await write((tx) => tx.appendEvents([anEvent(3), anEvent(1), anEvent(2), anEvent(5), anEvent(4)]));
      await write((tx) => tx.appendEvents([]));
      expect((await store().listEvents('acme', 'c-0001', 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(await store().listEvents('acme', 'c-0001', 2, 2)).toEqual([anEvent(3), anEvent(4)]);
      expect(await store().listEvents('acme', 'c-0001', 5, 10)).toEqual([]);
      expect(await store().getEvent('acme', 'c-0001', 4)).toEqual(anEvent(4));
      expect(await store().getEvent('acme', 'c-0001', 6)).toBeUndefined();
    });

    it('refuses a sequence number taken in the same conversation with WriteConflict, and writes nothing of that transaction', async () => {
      await write((tx) => tx.appendEvents([anEvent(1)]));
      const lost = write(async (tx) => {
        await tx.insertMessage(aMessage(), 'web');
        await tx.appendEvents([anEvent(2), anEvent(1, { type: 'handover' })]);
      });
      await expect(lost).rejects.toBeInstanceOf(WriteConflict);
      expect(await store().listEvents('acme', 'c-0001', 0, 10)).toEqual([anEvent(1)]);
      expect(await store().getMessage('acme', 'm-0001')).toBeUndefined();
    });

    it('refuses a sequence number repeated within one batch', async () => {
      await expect(write((tx) => tx.appendEvents([anEvent(1), anEvent(1)]))).rejects.toBeInstanceOf(WriteConflict);
    });

    it('numbers each conversation of each account on its own', async () => {
      await write((tx) => tx.appendEvents([anEvent(1), anEvent(1, { conversationId: 'c-0002' }), anEvent(1, { accountId: 'beta' })]));
      expect(await store().listEvents('acme', 'c-0002', 0, 10)).toEqual([anEvent(1, { conversationId: 'c-0002' })]);
      expect(await store().listEvents('beta', 'c-0001', 0, 10)).toEqual([anEvent(1, { accountId: 'beta' })]);
    });
  });

  describe('messages', () => {
    const m1 = aMessage({ id: 'm-1', createdAt: at(1), channelMessageId: 'wamid.1' });
    const m2 = aMessage({ id: 'm-2', createdAt: at(2), author: { kind: 'bot', id: 'CmBot' }, content: { type: 'text', text: 'hi', buttons: [{ title: 'Yes', payload: 'y' }] } });
    const m3 = aMessage({ id: 'm-3', createdAt: at(3), author: { kind: 'system', id: null }, content: { type: 'custom', custom: { a: [1, 2] } }, status: 'failed' });

    it('stores messages, gets them by id and lists the oldest first up to a limit', async () => {
      await write(async (tx) => {
        for (const m of [m3, m1, m2]) await tx.insertMessage(m, 'web');
      });
      expect(await store().getMessage('acme', 'm-2')).toEqual(m2);
      expect(await store().getMessage('acme', 'm-none')).toBeUndefined();
      expect(await store().listMessages('acme', 'c-0001', 10)).toEqual([m1, m2, m3]);
      expect(await store().listMessages('acme', 'c-0001', 2)).toEqual([m1, m2]);
      expect(await store().listMessages('acme', 'c-other', 10)).toEqual([]);
    });

    it('finds a message by the channel message id in its chat only', async () => {
      await write((tx) => tx.insertMessage(m1, 'web'));
      expect(await store().findMessageByChannelMessageId('acme', 'web', 'c-0001', 'wamid.1')).toEqual(m1);
      expect(await store().findMessageByChannelMessageId('acme', 'wa', 'c-0001', 'wamid.1')).toBeUndefined();
      expect(await store().findMessageByChannelMessageId('acme', 'web', 'c-other', 'wamid.1')).toBeUndefined();
      expect(await store().findMessageByChannelMessageId('acme', 'web', 'c-0001', 'wamid.2')).toBeUndefined();
    });

    it('accepts the same channel message id in another chat of the same channel (ids count per chat)', async () => {
      expect(await write((tx) => tx.insertMessageOnce(m1, 'web'))).toBe(true);
      expect(await write((tx) => tx.insertMessageOnce({ ...m1, id: 'm-chat-2', conversationId: 'c-0002' }, 'web'))).toBe(true);
      expect((await store().findMessageByChannelMessageId('acme', 'web', 'c-0002', 'wamid.1'))?.id).toBe('m-chat-2');
      expect((await store().findMessageByChannelMessageId('acme', 'web', 'c-0001', 'wamid.1'))?.id).toBe(m1.id);
    });

    it('accepts a channel message id once per channel: a second one is a WriteConflict', async () => {
      await write((tx) => tx.insertMessage(m1, 'web'));
      await expect(write((tx) => tx.insertMessage({ ...m1, id: 'm-again' }, 'web'))).rejects.toBeInstanceOf(WriteConflict);
      expect(await store().getMessage('acme', 'm-again')).toBeUndefined();
    });

    it('inserts a channel message once and answers false, writing nothing, for the repeat', async () => {
      expect(await write((tx) => tx.insertMessageOnce(m1, 'web'))).toBe(true);
      expect(await write((tx) => tx.insertMessageOnce({ ...m1, id: 'm-again' }, 'web'))).toBe(false);
      expect(await store().getMessage('acme', 'm-again')).toBeUndefined();
      expect(await write((tx) => tx.insertMessageOnce({ ...m1, id: 'm-wa' }, 'wa'))).toBe(true);
    });

    it('accepts the same channel message id on another channel or in another account', async () => {
      await write(async (tx) => {
        await tx.insertMessage(m1, 'web');
        await tx.insertMessage({ ...m1, id: 'm-wa' }, 'wa');
        await tx.insertMessage({ ...m1, accountId: 'beta' }, 'web');
      });
      expect((await store().findMessageByChannelMessageId('acme', 'wa', 'c-0001', 'wamid.1'))?.id).toBe('m-wa');
      expect((await store().findMessageByChannelMessageId('beta', 'web', 'c-0001', 'wamid.1'))?.accountId).toBe('beta');
    });

    it('accepts any number of messages without a channel message id', async () => {
      await write(async (tx) => {
        await tx.insertMessage(m2, 'web');
        await tx.insertMessage(m3, 'web');
      });
      expect(await store().listMessages('acme', 'c-0001', 10)).toEqual([m2, m3]);
    });
  });

  describe('deliveries', () => {
    it('writes one pending outbox row per draft', async () => {
      await write(async (tx) => {
        await tx.insertDeliveries([aDelivery(), aDelivery({ id: 'd-0002', seq: 2, eventType: 'message.sent', target: { kind: 'channel', id: 'web' }, forReply: false, createdAt: at(1) })]);
        await tx.insertDeliveries([]);
      });
      const found = await store().kysely.selectFrom('deliveries').selectAll().orderBy('id').execute();
      expect(found).toEqual([
        { id: 'd-0001', account_id: 'acme', conversation_id: 'c-0001', seq: 1, event_type: 'message.received', target_kind: 'component', target_id: 'CmBot', for_reply: 1, state: 'pending', attempts: 0, next_attempt_at: at(0), created_at: at(0), last_error: null, delivered_at: null, payload: JSON.stringify(aDelivery().snapshot), parts_sent: 0 },
        { id: 'd-0002', account_id: 'acme', conversation_id: 'c-0001', seq: 2, event_type: 'message.sent', target_kind: 'channel', target_id: 'web', for_reply: 0, state: 'pending', attempts: 0, next_attempt_at: at(1), created_at: at(1), last_error: null, delivered_at: null, payload: JSON.stringify(aDelivery().snapshot), parts_sent: 0 },
      ]);
      // Each recipient's cursor for the conversation is woken with the delivery as its head.
      const cursors = await store().kysely.selectFrom('delivery_cursors').selectAll().orderBy('target_kind').execute();
      expect(cursors.map((c) => [c.target_kind, c.target_id, c.state, c.head_seq, c.due_at])).toEqual([['channel', 'web', 'ready', 2, at(1)], ['component', 'CmBot', 'ready', 1, at(0)]]);
    });

    it('lets a lease take idle cursors at insert, and answers which heads it took', async () => {
      const lease = { claimId: 'claim-1', until: at(9) };
      const first = await write((tx) => tx.insertDeliveries([aDelivery(), aDelivery({ id: 'd-0002', seq: 2, target: { kind: 'channel', id: 'web' }, createdAt: at(1) })], lease));
      expect(first.map((d) => d.id)).toEqual(['d-0001', 'd-0002']);
      const cursors = await store().kysely.selectFrom('delivery_cursors').selectAll().orderBy('target_kind').execute();
      expect(cursors.map((c) => [c.target_kind, c.claim_id, c.due_at, c.head_seq, c.tail_seq])).toEqual([['channel', 'claim-1', at(9), 2, 2], ['component', 'claim-1', at(9), 1, 1]]);
      // A busy cursor is not taken by a second lease: the new delivery waits behind the head, and the tail moves.
      const second = await write((tx) => tx.insertDeliveries([aDelivery({ id: 'd-0003', seq: 3, createdAt: at(2) })], { claimId: 'claim-2', until: at(9) }));
      expect(second).toEqual([]);
      const bot = await store().kysely.selectFrom('delivery_cursors').selectAll().where('target_kind', '=', 'component').executeTakeFirstOrThrow();
      expect([bot.claim_id, bot.head_seq, bot.tail_seq]).toEqual(['claim-1', 1, 3]);
    });

    it('keeps the snapshot a delivery is rendered from', async () => {
      const d = aDelivery();
      await write((tx) => tx.insertDeliveries([d]));
      const row = await store().kysely.selectFrom('deliveries').select('payload').executeTakeFirstOrThrow();
      expect(JSON.parse(row.payload!)).toEqual(d.snapshot);
    });

    it('keeps a busy cursor\'s head when later deliveries arrive', async () => {
      await write((tx) => tx.insertDeliveries([aDelivery()]));
      await write((tx) => tx.insertDeliveries([aDelivery({ id: 'd-0002', seq: 5, createdAt: at(3) })]));
      const cursor = await store().kysely.selectFrom('delivery_cursors').selectAll().executeTakeFirstOrThrow();
      expect([cursor.head_seq, cursor.due_at, cursor.state]).toEqual([1, at(0), 'ready']);
    });
  });

  describe('audit log', () => {
    it('appends entries and lists an account\'s newest first, paging by (at, id)', async () => {
      const entry = (id: string, minute: number, accountId = 'acme') => ({ id, accountId, at: at(minute), actor: 'api-key:abc', action: 'handover', subject: 'c-0001', details: { by: 'bot' } });
      await write(async (tx) => {
        for (const e of [entry('a1', 1), entry('a2', 2), entry('a3', 2), entry('b1', 3, 'beta')]) await tx.appendAudit(e);
      });
      expect((await store().listAudit('acme', { limit: 10 })).map((e) => e.id)).toEqual(['a3', 'a2', 'a1']);
      expect(await store().listAudit('acme', { limit: 1 })).toEqual([entry('a3', 2)]);
      expect((await store().listAudit('acme', { limit: 10, before: { at: at(2), id: 'a3' } })).map((e) => e.id)).toEqual(['a2', 'a1']);
      expect((await store().listAudit('beta', { limit: 10 })).map((e) => e.id)).toEqual(['b1']);
    });
  });

  describe('idempotency keys', () => {
    it('stores a result under a key and gives it back', async () => {
      const record = { fingerprint: 'fp-1', result: { conversation: { id: 'c-0001' }, events: [], duplicate: false }, createdAt: at(1) };
      await write((tx) => tx.putIdempotency('acme', 'key-1', record));
      expect(await store().getIdempotency('acme', 'key-1')).toEqual(record);
      expect(await store().getIdempotency('acme', 'key-2')).toBeUndefined();
    });

    it('refuses a key already used with WriteConflict, so the loser of a race runs again and finds it', async () => {
      const record = { fingerprint: 'fp-1', result: null, createdAt: at(1) };
      await write((tx) => tx.putIdempotency('acme', 'key-1', record));
      await expect(write((tx) => tx.putIdempotency('acme', 'key-1', { ...record, fingerprint: 'fp-2' }))).rejects.toBeInstanceOf(WriteConflict);
      expect(await store().getIdempotency('acme', 'key-1')).toEqual(record);
    });
  });

  describe('timers', () => {
    it('gives the timers due by an instant, earliest first, up to a limit, across accounts', async () => {
      await write(async (tx) => {
        await tx.putTimer(aTimer({ id: 't-late', dueAt: at(10) }));
        await tx.putTimer(aTimer({ id: 't-due', dueAt: at(5) }));
        await tx.putTimer(aTimer({ id: 't-early', accountId: 'beta', dueAt: at(1) }));
      });
      expect(await store().dueTimers(at(5), 10)).toEqual([aTimer({ id: 't-early', accountId: 'beta', dueAt: at(1) }), aTimer({ id: 't-due', dueAt: at(5) })]);
      expect((await store().dueTimers(at(5), 1)).map((t) => t.id)).toEqual(['t-early']);
      expect(await store().dueTimers(at(0), 10)).toEqual([]);
    });

    it('deletes a timer, and deleting one that is gone is harmless', async () => {
      await write((tx) => tx.putTimer(aTimer()));
      await write((tx) => tx.deleteTimer('t-0001'));
      await write((tx) => tx.deleteTimer('t-0001'));
      expect(await store().dueTimers(at(60), 10)).toEqual([]);
    });
  });

  describe('transactions', () => {
    it('returns what the callback returns', async () => {
      expect(await write(async () => 42)).toBe(42);
    });

    it('rolls back every write when the callback throws, and rethrows its error unchanged', async () => {
      await write(async (tx) => {
        await tx.upsertAccount(anAccount(), ['kept']);
        await tx.upsertAgent(anAgent(), null);
        await tx.insertConversation(aConversation());
      });
      const boom = new Error('boom');
      const failed = write(async (tx) => {
        await tx.upsertAccount(anAccount({ id: 'beta' }), ['beta-key']);
        await tx.setAccountEmergency('acme', true);
        await tx.upsertChannel(aChannel());
        await tx.upsertComponent(aComponent());
        await tx.replaceServices('acme', [aService()]);
        await tx.upsertAgent(anAgent({ id: 'bob' }), 'hash');
        await tx.setAgentPresence('acme', 'alice', 'online');
        await tx.insertConversation(aConversation({ id: 'c-0002' }));
        await tx.updateConversation(aConversation({ status: 'closed', agentSession: { id: 'as-0001', status: 'queued', desk: null, team: null, agentId: null, note: null, context: {}, reason: 'x', hadAgentReply: false, openedAt: at(1), closedAt: null, closeReason: null } }));
        await tx.appendEvents([anEvent(1)]);
        await tx.insertMessage(aMessage(), 'web');
        await tx.insertDeliveries([aDelivery()]);
        await tx.putIdempotency('acme', 'k', { fingerprint: 'f', result: 1, createdAt: at(0) });
        await tx.putTimer(aTimer());
        await tx.deleteTimer('t-none');
        throw boom;
      });
      await expect(failed).rejects.toBe(boom);

      const s = store();
      expect(await s.listAccounts()).toEqual([anAccount()]);
      expect(await s.accountIdForKey('beta-key')).toBeUndefined();
      expect(await s.listChannels('acme')).toEqual([]);
      expect(await s.listComponents('acme')).toEqual([]);
      expect(await s.listServices('acme')).toEqual([]);
      expect(await s.listAgents('acme')).toEqual([anAgent()]);
      expect((await s.listConversations('acme', { limit: 10 })).items).toEqual([aConversation()]);
      expect(await s.findConversationByAgentSession('acme', 'as-0001')).toBeUndefined();
      expect(await s.listEvents('acme', 'c-0001', 0, 10)).toEqual([]);
      expect(await s.listMessages('acme', 'c-0001', 10)).toEqual([]);
      expect(await s.kysely.selectFrom('deliveries').selectAll().execute()).toEqual([]);
      expect(await s.getIdempotency('acme', 'k')).toBeUndefined();
      expect(await s.dueTimers(at(60), 10)).toEqual([]);
    });
  });

  describe('inbox login sessions', () => {
    const login = { accountId: 'acme', agentId: 'alice', csrfToken: 'csrf-1', createdAt: at(0), expiresAt: at(60) };

    it('finds a session by the digest of its id until it expires, then no more', async () => {
      const sessions = new SessionStore(store());
      await sessions.create('hash-1', login);
      expect(await sessions.get('hash-1', at(1))).toEqual(login);
      expect(await sessions.get('hash-1', at(60))).toBeUndefined();
      expect(await sessions.get('hash-unknown', at(1))).toBeUndefined();
    });

    it('deletes one session, and every expired one at once', async () => {
      const sessions = new SessionStore(store());
      await sessions.create('hash-1', login);
      await sessions.create('hash-2', { ...login, agentId: 'amos', expiresAt: at(10) });
      await sessions.create('hash-3', { ...login, expiresAt: at(20) });
      await sessions.delete('hash-1');
      expect(await sessions.get('hash-1', at(1))).toBeUndefined();
      expect(await sessions.deleteExpired(at(15))).toBe(1);
      expect(await sessions.get('hash-3', at(15))).toMatchObject({ agentId: 'alice' });
      expect(await sessions.deleteExpired(at(15))).toBe(0);
    });

    it('refuses a second session with the same id', async () => {
      const sessions = new SessionStore(store());
      await sessions.create('hash-1', login);
      await expect(sessions.create('hash-1', login)).rejects.toThrow();
    });
  });

  describe('live bus', () => {
    it('delivers what is published to every subscriber, the publisher\'s own process included', async () => {
      const bus = store().capabilities.liveBus?.() ?? new LocalLiveBus();
      await bus.start();
      try {
        const got: LivePayload[] = [];
        const unsubscribe = bus.subscribe((p) => got.push(p));
        await bus.publish({ accountId: 'acme', topic: 'conversation', conversationId: 'c-1', seq: 3 });
        await waitFor(() => got.length === 1);
        expect(got).toEqual([{ accountId: 'acme', topic: 'conversation', conversationId: 'c-1', seq: 3 }]);
        unsubscribe();
        await bus.publish({ accountId: 'acme', topic: 'conversation', conversationId: 'c-2', seq: 1 });
        await new Promise((r) => setTimeout(r, 100));
        expect(got).toHaveLength(1);
      } finally {
        await bus.close();
      }
    });
  });

  describe('account isolation', () => {
    it("shows nothing of account A through account B's ids, and B's writes leave A alone", async () => {
      await write(async (tx) => {
        await tx.upsertAccount(anAccount(), ['acme-key']);
        await tx.upsertAccount(anAccount({ id: 'beta', name: 'Beta' }), ['beta-key']);
        await tx.upsertChannel(aChannel());
        await tx.upsertComponent(aComponent());
        await tx.replaceServices('acme', [aService()]);
        await tx.upsertAgent(anAgent({ presence: 'online' }), 'hash-a');
        await tx.insertConversation(aConversation({ agentSession: { id: 'as-0001', status: 'queued', desk: null, team: null, agentId: null, note: null, context: {}, reason: 'x', hadAgentReply: false, openedAt: at(1), closedAt: null, closeReason: null } }));
        await tx.appendEvents([anEvent(1)]);
        await tx.insertMessage(aMessage({ channelMessageId: 'cm-1' }), 'web');
        await tx.putIdempotency('acme', 'k', { fingerprint: 'f', result: 1, createdAt: at(0) });
      });

      const s = store();
      expect(await s.accountIdForKey('beta-key')).toBe('beta');
      expect(await s.getChannel('beta', 'web')).toBeUndefined();
      expect(await s.listChannels('beta')).toEqual([]);
      expect(await s.getComponent('beta', 'CmBot')).toBeUndefined();
      expect(await s.listComponents('beta')).toEqual([]);
      expect(await s.listServices('beta')).toEqual([]);
      expect(await s.getAgent('beta', 'alice')).toBeUndefined();
      expect(await s.listAgents('beta')).toEqual([]);
      expect(await s.countAvailableAgents('beta', null, null)).toBe(0);
      expect(await s.agentPasswordHash('beta', 'alice')).toBeNull();
      expect(await s.getConversation('beta', 'c-0001')).toBeUndefined();
      expect(await s.listConversations('beta', { limit: 10 })).toEqual({ items: [], next: null });
      expect(await s.listOpenConversationIds('beta', null, 10)).toEqual([]);
      expect(await s.findConversationByBotSession('beta', 'bs-0001')).toBeUndefined();
      expect(await s.findConversationByAgentSession('beta', 'as-0001')).toBeUndefined();
      expect(await s.listEvents('beta', 'c-0001', 0, 10)).toEqual([]);
      expect(await s.getEvent('beta', 'c-0001', 1)).toBeUndefined();
      expect(await s.getMessage('beta', 'm-0001')).toBeUndefined();
      expect(await s.listMessages('beta', 'c-0001', 10)).toEqual([]);
      expect(await s.findMessageByChannelMessageId('beta', 'web', 'c-0001', 'cm-1')).toBeUndefined();
      expect(await s.getIdempotency('beta', 'k')).toBeUndefined();
      expect(await write((tx) => tx.lockConversation('beta', 'c-0001'))).toBeUndefined();

      await write(async (tx) => {
        await tx.setAgentPresence('beta', 'alice', 'offline');
        await tx.setAccountEmergency('beta', true);
        await tx.replaceServices('beta', []);
        await tx.updateConversation(aConversation({ accountId: 'beta', status: 'closed' }));
        expect(await tx.insertConversation(aConversation({ accountId: 'beta', customer: 'beta-visitor' }))).toBe(true);
      });
      expect((await s.getAgent('acme', 'alice'))?.presence).toBe('online');
      expect((await s.getAccount('acme'))?.emergency).toBe(false);
      expect(await s.listServices('acme')).toEqual([aService()]);
      expect((await s.getConversation('acme', 'c-0001'))?.customer).toBe('visitor-1');
      expect((await s.getConversation('acme', 'c-0001'))?.status).toBe('open');
      expect((await s.getConversation('beta', 'c-0001'))?.customer).toBe('beta-visitor');
    });
  });
});

/** Polls until a connection of `appName` waits for a lock held by another transaction. */
async function waitForLockWait(store: KyselyStore, appName: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = ${appName} and wait_event_type = 'Lock'`.execute(store.kysely);
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no connection of ${appName} ever waited for a lock`);
}

/** A second store on the same schema, its connections named so the test can see them wait. */
function secondStore(handle: EngineHandle, appName: string): KyselyStore {
  const url = new URL(handle.url);
  url.searchParams.set('application_name', appName);
  return openPostgresStore({ url: url.toString(), schema: handle.schema! });
}

describe('store concurrency on PostgreSQL only (SQLite has no row locks: its one connection runs one transaction at a time)', () => {
  const postgres = engines.find((e) => e.name === 'postgres')!;
  const handle = freshStorePerTest(postgres);

  /**
   * Runs `first` until it signals, starts `second` on another store, waits until PostgreSQL shows
   * the second blocked on a lock, then lets the first commit.
   */
  async function race<A, B>(first: (tx: StoreTx, holding: () => void) => Promise<A>, second: (tx: StoreTx) => Promise<B>): Promise<[A, B]> {
    const h = handle();
    const appName = `${h.schema}_second`;
    const other = secondStore(h, appName);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    try {
      const one = h.store.transaction(async (tx) => {
        const out = await first(tx, holding);
        await released;
        return out;
      });
      await Promise.race([held, one]);
      const two = other.transaction(second);
      await waitForLockWait(h.store, appName);
      release();
      return await Promise.all([one, two]);
    } finally {
      release();
      await other.close();
    }
  }

  it('carries live payloads from one store to a subscriber on another (LISTEN/NOTIFY), and refuses one over the NOTIFY limit', async () => {
    const h = handle();
    const other = secondStore(h, `${h.schema}_bus`);
    const sender = h.store.capabilities.liveBus!();
    const receiver = other.capabilities.liveBus!();
    try {
      await receiver.start();
      const got: LivePayload[] = [];
      receiver.subscribe((p) => got.push(p));
      await sender.publish({ accountId: 'acme', topic: 'visitor', conversationId: 'c-1', messageId: 'm-1' });
      await waitFor(() => got.length === 1);
      expect(got[0]).toEqual({ accountId: 'acme', topic: 'visitor', conversationId: 'c-1', messageId: 'm-1' });
      await expect(sender.publish({ accountId: 'acme', topic: 'big', text: 'x'.repeat(9000) })).rejects.toThrow(/NOTIFY limit/);
    } finally {
      await receiver.close();
      await sender.close();
      await other.close();
    }
  });

  it('serialises two transactions that lock the same conversation: the second waits for the first to commit', async () => {
    const store = handle().store;
    await store.transaction((tx) => tx.insertConversation(aConversation({ controlVersion: 0 })));
    const bump = async (tx: StoreTx): Promise<number> => {
      const conv = (await tx.lockConversation('acme', 'c-0001'))!;
      await tx.updateConversation({ ...conv, controlVersion: conv.controlVersion + 1 });
      return conv.controlVersion;
    };
    const [readByFirst, readBySecond] = await race(async (tx, holding) => {
      const read = await bump(tx);
      holding();
      return read;
    }, bump);
    expect([readByFirst, readBySecond]).toEqual([0, 1]);
    expect((await store.getConversation('acme', 'c-0001'))?.controlVersion).toBe(2);
  });

  it('lets only one of two concurrent inserts of a conversation win; the other gets false once the winner commits', async () => {
    const store = handle().store;
    const [firstWon, secondWon] = await race(
      async (tx, holding) => {
        const won = await tx.insertConversation(aConversation({ customer: 'first' }));
        holding();
        return won;
      },
      (tx) => tx.insertConversation(aConversation({ customer: 'second' })),
    );
    expect([firstWon, secondWon]).toEqual([true, false]);
    expect((await store.getConversation('acme', 'c-0001'))?.customer).toBe('first');
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
