import { describe, expect, it } from 'vitest';
import { transition } from '../../src/core/control.js';
import { erasedEventData } from '../../src/core/erasure.js';
import { recipients } from '../../src/core/fanout.js';
import { aConversation, anEnv, BOT, NOW } from './builders.js';

describe('private notes (add_note)', () => {
  const env = anEnv();
  const handedOver = () => {
    const started = transition(aConversation({ mode: 'bot+desk' }, env.account), { type: 'customer_message', messageId: 'm-1' }, env).conversation;
    return transition(started, { type: 'handover', by: BOT }, env).conversation;
  };

  it('records note.added and leaves control as it was', () => {
    const conv = handedOver();
    const { conversation, events } = transition(conv, { type: 'add_note', agentId: 'agent-7', text: 'Reseller, see contract 42' }, env);
    expect(events).toEqual([{ type: 'note.added', data: { agentId: 'agent-7', text: 'Reseller, see contract 42' } }]);
    expect({ ...conversation, updatedAt: conv.updatedAt }).toEqual(conv);
  });

  it('goes to the desk alone: never the channel, never the bot', () => {
    const conv = handedOver();
    const event = { type: 'note.added' as const, data: { agentId: 'agent-7', text: 'x' }, accountId: conv.accountId, conversationId: conv.id, seq: 9, at: NOW };
    const targets = recipients(conv, event).map((r) => `${r.target.kind}:${r.target.id}`);
    expect(targets).toEqual([`component:${conv.desk}`]);
    expect(recipients({ ...conv, desk: null }, event)).toEqual([]);
  });

  it('loses its text when the customer is erased (core/erasure.ts empties `text`), keeping who wrote it', () => {
    expect(erasedEventData({ agentId: 'agent-7', text: 'Reseller, see contract 42' })).toEqual({ agentId: 'agent-7', text: null });
  });
});
