import { describe, expect, it } from 'vitest';
import { type ControlCommand, type TransitionEnv, transition } from '../../src/core/control.js';
import { type Conversation, currentThread } from '../../src/core/conversation.js';
import type { EventDraft } from '../../src/core/events.js';
import { parseThreadId, threadId } from '../../src/core/ids.js';
import { after, aConversation, anAccount, anEnv, at, BOT, DEFAULT_DESK, NOW } from './builders.js';

// DESIGN.md section 4: a conversation's life is a sequence of threads; each has its own id, and its
// first customer message is first_in_thread. Seed 003 reads on these (Engage thread_id).

const DELAY = anAccount().threadInclusionDelayMs;

function apply(conv: Conversation, env: TransitionEnv, ...cmds: ControlCommand[]): Conversation {
  return cmds.reduce((c, cmd) => transition(c, cmd, env).conversation, conv);
}

const customer = (messageId: string): ControlCommand => ({ type: 'customer_message', messageId });
const received = (events: EventDraft[]) => events.find((e) => e.type === 'message.received')!.data;
const types = (events: EventDraft[]) => events.map((e) => e.type);

describe('thread ids', () => {
  it('names the first thread by the conversation id and later ones by their number, both ways', () => {
    expect(threadId('c-1', 1)).toBe('c-1');
    expect(threadId('c-1', 2)).toBe('c-1.2');
    expect(parseThreadId('c-1.2')).toEqual({ conversationId: 'c-1', number: 2 });
    expect(parseThreadId('c-1')).toEqual({ conversationId: 'c-1', number: 1 });
    // not a form Baton hands out: the whole string is a (probably unknown) conversation id
    expect(parseThreadId('c-1.1')).toEqual({ conversationId: 'c-1.1', number: 1 });
    expect(parseThreadId('c-1.02')).toEqual({ conversationId: 'c-1.02', number: 1 });
  });
});

describe('a new thread when the conversation starts over', () => {
  const env = anEnv();
  const started = () => apply(aConversation({ mode: 'bot+desk' }), env, customer('m-1'));

  it('the first customer message is first in the first thread, which is the conversation', () => {
    const { conversation, events } = transition(aConversation({ mode: 'bot' }), customer('m-1'), env);
    expect(received(events)).toMatchObject({ first: true });
    expect(received(events)).not.toHaveProperty('threadId');
    expect(currentThread(conversation)).toEqual({ id: 'conv-1', number: 1, startedAt: NOW });
  });

  it('after a close: a new thread, first in it, no intervention', () => {
    const closed = apply(started(), env, { type: 'handover', by: BOT }, { type: 'reply', componentId: 'desk-1', authorKind: 'agent', agentId: 'a-1', messageId: 'r-1' }, { type: 'close_agent_session' }, { type: 'close' });
    const later = at(env, after(1000));
    const { conversation, events } = transition(closed, customer('m-2'), later);
    expect(received(events)).toMatchObject({ first: true, threadId: 'conv-1.2', agentSessionId: null });
    expect(received(events)).not.toHaveProperty('workItemId');
    expect(conversation.thread).toEqual({ id: 'conv-1.2', number: 2, startedAt: later.now });
    const next = transition(conversation, customer('m-3'), at(env, after(2000)));
    expect(received(next.events)).toMatchObject({ threadId: 'conv-1.2' });
    expect(received(next.events)).not.toHaveProperty('first');
  });

  it('after the delay with the bot alone: a new thread, and the bot\'s intervention of the old one ends with it', () => {
    const open = apply(started(), env, { type: 'open_work_item', owner: { kind: 'component', id: BOT }, messageId: 'm-1' });
    const soon = transition(open, customer('m-2'), at(env, after(DELAY)));
    expect(received(soon.events)).toMatchObject({ workItemId: open.workItem!.id });
    expect(received(soon.events)).not.toHaveProperty('first');
    const later = at(env, after(2 * DELAY + 1));
    const { conversation, events } = transition(soon.conversation, customer('m-3'), later);
    expect(types(events)).toEqual(['work_item.closed', 'message.received']);
    expect(events[0]!.data).toMatchObject({ workItemId: open.workItem!.id, by: null, reason: 'thread_ended' });
    expect(received(events)).toMatchObject({ first: true, threadId: 'conv-1.2', agentSessionId: null });
    expect(received(events)).not.toHaveProperty('workItemId');
    expect(conversation.workItem?.closedAt).toBe(later.now);
    // the bot may open its intervention of the new thread
    const reopened = transition(conversation, { type: 'open_work_item', owner: { kind: 'component', id: BOT }, messageId: 'm-3' }, later);
    expect(reopened.conversation.workItem).toMatchObject({ messageId: 'm-3', closedAt: null });
  });

  it('counts the delay from the customer\'s last message, so a customer still talking keeps the thread', () => {
    const handedBack = apply(started(), env, { type: 'handover', by: BOT }, { type: 'handback' });
    const chatting = apply(handedBack, at(env, after(DELAY - 1000)), customer('m-2'));
    const { events } = transition(chatting, customer('m-3'), at(env, after(DELAY + 60_000)));
    expect(types(events)).toEqual(['message.received']);
    expect(received(events)).not.toHaveProperty('threadId');
  });

  it('numbers each new thread', () => {
    let conv = started();
    for (const n of [2, 3]) {
      conv = apply(conv, env, { type: 'close' });
      const { conversation, events } = transition(conv, customer(`m-${n}`), env);
      expect(received(events)).toMatchObject({ first: true, threadId: `conv-1.${n}` });
      conv = conversation;
    }
  });
});

describe('the customer\'s return within the delay', () => {
  it('agent-first: the agent session an agent closed reopens with its id, for the humans', () => {
    const env = anEnv();
    const closed = apply(aConversation({ mode: 'bot' }), env, customer('m-1'), { type: 'handover', by: BOT }, { type: 'close_agent_session' });
    const id = closed.agentSession!.id;
    const { conversation, events } = transition(closed, customer('m-2'), at(env, after(DELAY / 2)));
    expect(events[0]).toEqual({ type: 'agent_session.reopened', data: { agentSessionId: id, policy: 'agent-first', handledBy: 'desk', categories: ['AGENT'] } });
    expect(conversation.agentSession).toMatchObject({ id, status: 'queued', closedAt: null });
  });

  it('bot-first: nothing reopens while the bot is in control, and its next handover opens a new agent session', () => {
    const env = anEnv({ account: anAccount({ reopenPolicy: 'bot-first' }) });
    const closed = apply(aConversation({ mode: 'bot' }), env, customer('m-1'), { type: 'handover', by: BOT }, { type: 'close_agent_session' });
    const first = closed.agentSession!.id;
    const later = at(env, after(DELAY / 2));
    const { conversation, events } = transition(closed, customer('m-2'), later);
    expect(types(events)).toEqual(['message.received']);
    expect(received(events)).toMatchObject({ controller: 'bot', agentSessionId: null });
    expect(received(events)).not.toHaveProperty('first');
    expect(conversation.agentSession).toMatchObject({ id: first, status: 'closed' });
    const handed = transition(conversation, { type: 'handover', by: BOT }, later);
    expect(handed.conversation.agentSession).toMatchObject({ status: 'queued', openedAt: later.now, desk: DEFAULT_DESK });
    expect(handed.conversation.agentSession!.id).not.toBe(first);
    // closed in turn, it stays closed too: bot-first gave the bot the thread back
    const again = apply(handed.conversation, later, { type: 'close_agent_session' }, customer('m-3'));
    expect(again.agentSession).toMatchObject({ id: handed.conversation.agentSession!.id, status: 'closed' });
  });
});
