import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { conversationNumber } from '../../src/core/ids.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import * as storeRows from '../../src/store/rows.js';
import { aConversation, at } from '../helpers/builders-store.js';
import { type EngineHandle, engines } from '../helpers/engines.js';

/** Integer-id protocols (Chatwoot) find a conversation by its number, within its account only. */
describe.each(engines)('conversation numbers on $name', (engine) => {
  let h: EngineHandle | undefined;
  afterEach(async () => {
    await h?.dispose();
    h = undefined;
  });

  it('finds a conversation by its number, in its own account only', async () => {
    h = await engine.open();
    const store = h.store;
    await store.transaction(async (tx) => {
      await tx.insertConversation(aConversation({ id: 'c-1' }));
      await tx.insertConversation(aConversation({ id: 'c-2' }));
    });
    expect((await store.findConversationByNumber('acme', conversationNumber('c-2')))?.id).toBe('c-2');
    expect(await store.findConversationByNumber('other', conversationNumber('c-2'))).toBeUndefined();
    expect(await store.findConversationByNumber('acme', conversationNumber('c-3'))).toBeUndefined();
  });

  it('migration 017 gives conversations stored before it their number', async () => {
    h = await engine.openUnmigrated();
    const db = h.store.kysely;
    await h.store.capabilities.beforeMigrate?.(db);
    const migrator = new Migrator({ db, provider: migrationProvider, ...(h.schema ? { migrationTableSchema: h.schema } : {}) });
    expect((await migrator.migrateTo('016-credential-kinds')).error).toBeUndefined();
    // Rows as Baton wrote them before the column existed.
    for (const id of ['c-1', 'c-2']) {
      const { number: _n, ...row } = storeRows.fromConversation(aConversation({ id, createdAt: at(Number(id.slice(2))) }));
      await db.insertInto('conversations').values(row).execute();
    }
    await h.store.migrate();
    expect((await h.store.findConversationByNumber('acme', conversationNumber('c-1')))?.id).toBe('c-1');
    expect((await h.store.findConversationByNumber('acme', conversationNumber('c-2')))?.id).toBe('c-2');
  });
});
