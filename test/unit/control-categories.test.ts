import { describe, expect, it } from 'vitest';
import { type ControlCommand, type TransitionEnv, transition } from '../../src/core/control.js';
import type { Conversation } from '../../src/core/conversation.js';
import { BatonError, type ErrorCode } from '../../src/core/errors.js';
import { recipients } from '../../src/core/fanout.js';
import { after, aConversation, anAccount, anEnv, at, BOT, DEFAULT_DESK, NOW, withAccount } from './builders.js';

function apply(conv: Conversation, env: TransitionEnv, ...cmds: ControlCommand[]): Conversation {
  return cmds.reduce((c, cmd) => transition(c, cmd, env).conversation, conv);
}

function refused(run: () => unknown, code: ErrorCode, text: string): void {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(BatonError);
    expect((err as BatonError).code).toBe(code);
    expect((err as BatonError).message).toContain(text);
    return;
  }
  throw new Error('not refused');
}

const started = (env: TransitionEnv = anEnv(), over: Partial<Conversation> = {}) => apply(aConversation({ mode: 'bot', categories: ['OTHER', 'BOT'], ...over }, env.account), env, { type: 'customer_message', messageId: 'm-1' });

describe('set_categories: the account\'s categories say who handles the conversation', () => {
  it('hands over when BOT gives way to AGENT, keeping the other categories as asked', () => {
    const env = anEnv();
    const { conversation, events } = transition(started(env), { type: 'set_categories', by: BOT, categories: ['OTHER', 'AGENT'] }, env);
    expect(events.map((e) => e.type)).toEqual(['handover', 'categories.updated']);
    expect(events[0]!.data).toMatchObject({ by: BOT, reason: 'recategorised', desk: DEFAULT_DESK });
    expect(events[1]!.data).toEqual({ by: BOT, categories: ['OTHER', 'AGENT'], previous: ['OTHER', 'BOT'] });
    expect(conversation).toMatchObject({ controller: 'desk', controlVersion: 2, categories: ['OTHER', 'AGENT'], agentSession: { status: 'queued', reason: 'recategorised' } });
  });

  it('hands back when AGENT gives way to BOT', () => {
    const env = anEnv();
    const handed = apply(started(env), env, { type: 'set_categories', by: BOT, categories: ['OTHER', 'AGENT'] });
    const { conversation, events } = transition(handed, { type: 'set_categories', by: BOT, categories: ['BOT', 'OTHER'] }, env);
    expect(events.map((e) => e.type)).toEqual(['agent_session.closed', 'handback', 'categories.updated']);
    expect(events[0]!.data).toMatchObject({ reason: 'recategorised' });
    expect(conversation).toMatchObject({ controller: 'bot', controlVersion: 3, categories: ['BOT', 'OTHER'] });
  });

  it('only relabels when the handover categories do not move, and does nothing when nothing changes', () => {
    const env = anEnv();
    const conv = started(env);
    const { conversation, events } = transition(conv, { type: 'set_categories', categories: ['BOT', 'VIP', 'VIP'] }, env);
    expect(events).toEqual([{ type: 'categories.updated', data: { by: null, categories: ['BOT', 'VIP'], previous: ['OTHER', 'BOT'] } }]);
    expect(conversation).toMatchObject({ controller: 'bot', controlVersion: 1 });
    expect(transition(conv, { type: 'set_categories', categories: ['BOT', 'OTHER'] }, env).events).toEqual([]);
  });

  it('keeps the bot and the categories when no agent is available on a real-time channel (keep-bot)', () => {
    const env = anEnv({ realtime: true, agentsAvailable: false, account: anAccount({ availability: { policy: 'keep-bot', waitMs: 0 } }) });
    const { conversation, events } = transition(started(env), { type: 'set_categories', by: BOT, categories: ['AGENT'] }, env);
    expect(events).toEqual([{ type: 'handover.rejected', data: { by: BOT, reason: 'no_agents_available', team: null, desk: DEFAULT_DESK } }]);
    expect(conversation).toMatchObject({ controller: 'bot', categories: ['OTHER', 'BOT'] });
  });

  it('refuses handing back during the account\'s emergency, and a stale expected version', () => {
    const env = anEnv();
    const handed = apply(started(env), env, { type: 'set_categories', categories: ['AGENT'] });
    refused(() => transition(handed, { type: 'set_categories', categories: ['BOT'] }, withAccount(env, { emergency: true })), 'invalid_transition', 'emergency');
    refused(() => transition(handed, { type: 'set_categories', categories: ['BOT'], expectedVersion: 1 }, env), 'stale_control', 'version');
  });
});

describe('work items: interventions a participant opens for statistics', () => {
  const owner = { kind: 'component' as const, id: BOT };

  it('opens on a message, counts its owner\'s replies with their times, and closes once answered', () => {
    const env = anEnv();
    const opened = transition(started(env), { type: 'open_work_item', owner, messageId: 'm-1' }, at(env, after(5_000)));
    expect(opened.events).toEqual([{ type: 'work_item.opened', data: { workItemId: 'id-2', owner, messageId: 'm-1' } }]);
    refused(() => transition(opened.conversation, { type: 'close_work_item', workItemId: 'id-2' }, env), 'invalid_transition', 'no reply');
    const replied = transition(opened.conversation, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1' }, at(env, after(15_000)));
    expect(replied.events[0]!.data).toMatchObject({ workItemId: 'id-2', categories: ['OTHER', 'BOT'] });
    expect(replied.conversation.workItem).toMatchObject({ replies: 1, firstReplyId: 'r-1', firstReplyAt: after(15_000), replyTimeTotalMs: 10_000, lastReplyTimeMs: 10_000 });
    const closed = transition(replied.conversation, { type: 'close_work_item', workItemId: 'id-2', by: BOT }, at(env, after(60_000)));
    expect(closed.events).toEqual([{ type: 'work_item.closed', data: { workItemId: 'id-2', by: BOT, owner, replies: 1 } }]);
    expect(closed.conversation.workItem?.closedAt).toBe(after(60_000));
    expect(closed.conversation.controlVersion).toBe(1);
    refused(() => transition(closed.conversation, { type: 'close_work_item', workItemId: 'id-2' }, env), 'invalid_transition', 'already closed');
    refused(() => transition(closed.conversation, { type: 'open_work_item', owner, messageId: 'm-1' }, env), 'invalid_transition', 'already had');
  });

  it('allows one open work item at a time, and counts only its owner\'s replies', () => {
    const env = anEnv();
    const opened = apply(started(env), env, { type: 'open_work_item', owner: { kind: 'agent', id: 'agent-7' }, messageId: 'm-1' });
    refused(() => transition(opened, { type: 'open_work_item', owner, messageId: 'm-2' }, env), 'invalid_transition', 'already has an open work item');
    const byBot = apply(opened, env, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1' });
    expect(byBot.workItem?.replies).toBe(0);
  });
});

describe('new threads', () => {
  it('a closed conversation starts over on the next customer message: no intervention reopens', () => {
    const env = anEnv();
    const handed = apply(started(env), env, { type: 'handover', by: BOT }, { type: 'reply', componentId: DEFAULT_DESK, authorKind: 'agent', agentId: 'agent-7', messageId: 'r-1' }, { type: 'close_agent_session' }, { type: 'close' });
    const { conversation, events } = transition(handed, { type: 'customer_message', messageId: 'm-2' }, at(env, after(1000)));
    expect(events.map((e) => e.type)).toEqual(['conversation.reopened', 'reset', 'bot_session.opened', 'message.received']);
    expect(events[1]!.data).toMatchObject({ reason: 'conversation_closed' });
    expect(conversation).toMatchObject({ status: 'open', controller: 'bot', agentSession: null, categories: ['OTHER', 'BOT'] });
  });

  it('a channel that starts new threads with the humans gives them the thread after the inclusion delay', () => {
    const env = anEnv();
    const closed = apply(started(env), env, { type: 'handover', by: BOT }, { type: 'close_agent_session' }, { type: 'handback' });
    const later = { ...at(env, after(anAccount().threadInclusionDelayMs + 1000)), newThreadToHumans: true };
    const { conversation, events } = transition(closed, { type: 'customer_message', messageId: 'm-2' }, later);
    expect(events.map((e) => e.type)).toEqual(['reset', 'agent_session.opened', 'message.received']);
    expect(conversation).toMatchObject({ controller: 'desk', mutations: { [BOT]: false }, categories: ['OTHER', 'AGENT'] });
  });

  it('a conversation born during the account\'s emergency is categorised as the agents\'', () => {
    const env = anEnv({ account: anAccount({ emergency: true }) });
    const { conversation, events } = transition(aConversation({ mode: 'bot', categories: ['BOT'] }, env.account), { type: 'customer_message', messageId: 'm-1' }, env);
    expect(conversation).toMatchObject({ emergency: true, controller: 'desk', categories: ['AGENT'] });
    expect(events.at(-1)!.data).toMatchObject({ categories: ['AGENT'], first: true });
  });
});

describe('fanout of a component\'s own messages', () => {
  it('leaves the author out, unless it asked to hear its own messages (echo)', () => {
    const conv = aConversation({ mode: 'bot+desk' });
    const event = (data: Record<string, unknown>) => ({ type: 'message.sent' as const, data, accountId: conv.accountId, conversationId: conv.id, seq: 2, at: NOW });
    const ids = (data: Record<string, unknown>) => recipients(conv, event(data)).map((r) => `${r.target.kind}:${r.target.id}`);
    expect(ids({ componentId: BOT })).not.toContain(`component:${BOT}`);
    expect(ids({ componentId: BOT, echo: true })).toContain(`component:${BOT}`);
    expect(recipients(conv, event({ componentId: BOT, echo: true })).find((r) => r.target.id === BOT)?.forReply).toBe(false);
  });
});
