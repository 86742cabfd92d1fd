import { describe, expect, it } from 'vitest';
import type { StoreTx } from '../../src/core/ports.js';
import { aChannel, aConversation, aMessage, anAccount } from '../helpers/builders-store.js';
import { engines, freshStorePerTest } from '../helpers/engines.js';

// What the Engage dialect needs from the store, on both engines: work items found by id, a
// channel's emergency switch kept across configuration applies, replies that name what they answer.
describe.each(engines)('store: work items, channel emergency, replies on $name', (engine) => {
  const handle = freshStorePerTest(engine);
  const store = () => handle().store;
  const write = <T>(fn: (tx: StoreTx) => Promise<T>) => store().transaction(fn);

  it('finds the conversation of a work item by its id, current or earlier', async () => {
    const item = { id: 'w-1', owner: { kind: 'component' as const, id: 'CmBot' }, messageId: 'm-0001', openedAt: '2025-01-01T09:00:00.000Z', closedAt: null, replies: 0, firstReplyId: null, firstReplyAt: null, lastReplyAt: null, replyTimeTotalMs: 0, lastReplyTimeMs: null };
    await write((tx) => tx.insertConversation(aConversation({ workItem: item })));
    await write(async (tx) => tx.updateConversation(aConversation({ workItem: { ...item, id: 'w-2' } })));
    expect((await store().findConversationByWorkItem('acme', 'w-1'))?.id).toBe('c-0001');
    expect((await store().findConversationByWorkItem('acme', 'w-2'))?.workItem?.id).toBe('w-2');
    expect(await store().findConversationByWorkItem('other', 'w-1')).toBeUndefined();
    expect(await store().findConversationByWorkItem('acme', 'w-3')).toBeUndefined();
  });

  it('keeps a channel\'s emergency switch across configuration applies', async () => {
    await write(async (tx) => {
      await tx.upsertAccount(anAccount(), []);
      await tx.upsertChannel(aChannel());
    });
    expect((await store().getChannel('acme', 'web'))?.emergency).toBeUndefined();
    expect(await write((tx) => tx.setChannelEmergency('acme', 'web', true))).toBe(true);
    await write((tx) => tx.upsertChannel(aChannel({ defaultCategories: ['BOT', 'VIP'] })));
    expect(await store().getChannel('acme', 'web')).toMatchObject({ emergency: true, defaultCategories: ['BOT', 'VIP'] });
    expect(await write((tx) => tx.setChannelEmergency('acme', 'web', false))).toBe(true);
    expect((await store().getChannel('acme', 'web'))?.emergency).toBeUndefined();
    expect(await write((tx) => tx.setChannelEmergency('acme', 'nope', true))).toBe(false);
  });

  it('stores the message a reply answers', async () => {
    await write(async (tx) => {
      await tx.insertMessage(aMessage(), 'web');
      await tx.insertMessage(aMessage({ id: 'm-0002', author: { kind: 'bot', id: 'CmBot' }, inReplyTo: 'm-0001' }), 'web');
    });
    expect((await store().getMessage('acme', 'm-0002'))?.inReplyTo).toBe('m-0001');
    expect((await store().getMessage('acme', 'm-0001'))?.inReplyTo).toBeUndefined();
  });
});
