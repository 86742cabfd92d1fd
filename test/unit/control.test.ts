import { describe, expect, it } from 'vitest';
import { type CommandType, type ControlCommand, type TransitionEnv, type TransitionResult, transition } from '../../src/core/control.js';
import { type Conversation, controllerOf, isEnabled } from '../../src/core/conversation.js';
import { BatonError, type ErrorCode } from '../../src/core/errors.js';
import type { EventDraft } from '../../src/core/events.js';
import type { RuleAction } from '../../src/core/model.js';
import { after, aConversation, anAccount, anEnv, at, BOT, DEFAULT_DESK, DESK, NOW, withAccount } from './builders.js';

const DELAY = anAccount().threadInclusionDelayMs;

// Session ids ride along on message events; their values are checked where sessions are the subject.
const SESSION = expect.toBeOneOf([null, expect.any(String)]);

function types(events: EventDraft[]): string[] {
  return events.map((e) => e.type);
}

/** Runs commands in order and returns the conversation they leave. */
function apply(conv: Conversation, env: TransitionEnv, ...cmds: ControlCommand[]): Conversation {
  return cmds.reduce((c, cmd) => transition(c, cmd, env).conversation, conv);
}

function expectRefused(run: () => TransitionResult, code: ErrorCode): BatonError {
  expect(run).toThrow(BatonError);
  try {
    run();
  } catch (err) {
    expect((err as BatonError).code).toBe(code);
    return err as BatonError;
  }
  throw new Error('unreachable');
}

/** What a command that was turned down without a refusal may still change. */
function withoutClock(conv: Conversation): Omit<Conversation, 'updatedAt'> {
  const { updatedAt: _ignored, ...rest } = conv;
  return rest;
}

const customerMessage = (messageId = 'm-1'): ControlCommand => ({ type: 'customer_message', messageId });

/** A conversation after its first customer message: the bot (if any) has its session `id-1`. */
function started(mode: RuleAction = 'bot', env: TransitionEnv = anEnv()): { env: TransitionEnv; conv: Conversation } {
  return { env, conv: apply(aConversation({ mode }, env.account), env, customerMessage()) };
}

/** The bot handed over to the humans: agent session `id-2`, control version 2. */
function handedOver(mode: RuleAction = 'bot', env: TransitionEnv = anEnv()): { env: TransitionEnv; conv: Conversation } {
  const s = started(mode, env);
  return { env, conv: apply(s.conv, env, { type: 'handover', by: BOT }) };
}

describe('who may answer (isEnabled, controllerOf)', () => {
  const account = anAccount();

  it('gives a bot-mode conversation to the bot, with no desk at all', () => {
    const conv = aConversation({ mode: 'bot' });
    expect(isEnabled(conv, account, BOT)).toBe(true);
    expect(controllerOf(conv, account)).toBe('bot');
  });

  it('keeps the desk dormant in bot+desk mode while the bot is enabled', () => {
    const conv = aConversation({ mode: 'bot+desk' });
    expect(isEnabled(conv, account, BOT)).toBe(true);
    expect(isEnabled(conv, account, DESK)).toBe(false);
    expect(controllerOf(conv, account)).toBe('bot');
  });

  it('wakes the bot+desk desk once the bot is disabled', () => {
    const conv = aConversation({ mode: 'bot+desk', mutations: { [BOT]: false } });
    expect(isEnabled(conv, account, BOT)).toBe(false);
    expect(isEnabled(conv, account, DESK)).toBe(true);
    expect(controllerOf(conv, account)).toBe('desk');
  });

  it('gives a desk-mode conversation to the desk', () => {
    const conv = aConversation({ mode: 'desk' });
    expect(isEnabled(conv, account, DESK)).toBe(true);
    expect(controllerOf(conv, account)).toBe('desk');
  });

  it('lets an explicit desk mutation enable the desk beside an enabled bot, the bot keeping control', () => {
    const conv = aConversation({ mode: 'bot+desk', mutations: { [DESK]: true } });
    expect(isEnabled(conv, account, BOT)).toBe(true);
    expect(isEnabled(conv, account, DESK)).toBe(true);
    expect(controllerOf(conv, account)).toBe('bot');
  });

  it('leaves nobody in control when the only desk is disabled', () => {
    const conv = aConversation({ mode: 'desk', mutations: { [DESK]: false } });
    expect(isEnabled(conv, account, DESK)).toBe(false);
    expect(controllerOf(conv, account)).toBe('none');
  });

  it('lets a bot mutation enable a bot that the mode leaves out, beside the desk the mode enables', () => {
    const conv = aConversation({ mode: 'desk', bot: BOT, mutations: { [BOT]: true } });
    expect(isEnabled(conv, account, BOT)).toBe(true);
    expect(isEnabled(conv, account, DESK)).toBe(true);
    expect(controllerOf(conv, account)).toBe('bot');
  });

  it('disables the bot when the account emergency is on, even against a mutation', () => {
    const emergency = anAccount({ emergency: true });
    const conv = aConversation({ mode: 'bot+desk', mutations: { [BOT]: true } });
    expect(isEnabled(conv, emergency, BOT)).toBe(false);
    expect(isEnabled(conv, emergency, DESK)).toBe(true);
    expect(controllerOf(conv, emergency)).toBe('desk');
  });

  it('leaves a bot-mode conversation with nobody when the emergency is on and it has no desk', () => {
    const conv = aConversation({ mode: 'bot' });
    expect(controllerOf(conv, anAccount({ emergency: true }))).toBe('none');
  });

  it('disables the bot of a conversation handed over by the emergency switch', () => {
    const conv = aConversation({ mode: 'bot+desk', emergency: true });
    expect(isEnabled(conv, account, BOT)).toBe(false);
    expect(controllerOf(conv, account)).toBe('desk');
  });

  it('enables any other component only through an explicit mutation', () => {
    expect(isEnabled(aConversation(), account, 'observer-1')).toBe(false);
    expect(isEnabled(aConversation({ mutations: { 'observer-1': false } }), account, 'observer-1')).toBe(false);
    expect(isEnabled(aConversation({ mutations: { 'observer-1': true } }), account, 'observer-1')).toBe(true);
  });
});

describe('customer_message', () => {
  it('opens a bot session for the first message of a bot conversation', () => {
    const env = anEnv();
    const { conversation, events } = transition(aConversation({ mode: 'bot' }), customerMessage('m-1'), env);
    expect(events).toEqual([
      { type: 'bot_session.opened', data: { botSessionId: 'id-1', componentId: BOT } },
      { type: 'message.received', data: { messageId: 'm-1', controller: 'bot', controlVersion: expect.any(Number), botSessionId: SESSION, agentSessionId: SESSION, categories: ['BOT'], first: true } },
    ]);
    expect(conversation.botSession).toEqual({ id: 'id-1', componentId: BOT, openedAt: NOW });
    expect(conversation.controller).toBe('bot');
    expect(conversation.controlVersion).toBe(1);
    expect(conversation.agentSession).toBeNull();
    expect(conversation.lastCustomerMessageAt).toBe(NOW);
  });

  it('keeps the bot session for later messages', () => {
    const { env, conv } = started('bot');
    const later = at(env, after(60_000));
    const { conversation, events } = transition(conv, customerMessage('m-2'), later);
    expect(events).toEqual([{ type: 'message.received', data: { messageId: 'm-2', controller: 'bot', controlVersion: expect.any(Number), botSessionId: SESSION, agentSessionId: SESSION, categories: ['BOT'] } }]);
    expect(conversation.botSession?.id).toBe('id-1');
    expect(conversation.lastCustomerMessageAt).toBe(later.now);
    expect(conversation.updatedAt).toBe(later.now);
  });

  it('gives the first message to the bot in bot+desk mode and opens no agent session for the dormant desk', () => {
    const { conversation, events } = transition(aConversation({ mode: 'bot+desk' }), customerMessage(), anEnv());
    expect(types(events)).toEqual(['bot_session.opened', 'message.received']);
    expect(conversation.controller).toBe('bot');
    expect(conversation.agentSession).toBeNull();
  });

  it('queues a desk-mode conversation for the team its context names', () => {
    const conv = aConversation({ mode: 'desk', context: { topic: 'invoice' } });
    const { conversation, events } = transition(conv, customerMessage(), anEnv());
    expect(events).toEqual([
      { type: 'agent_session.opened', data: { agentSessionId: 'id-1', desk: DESK, team: 'billing', reason: 'rule' } },
      { type: 'message.received', data: { messageId: 'm-1', controller: 'desk', controlVersion: expect.any(Number), botSessionId: SESSION, agentSessionId: SESSION, categories: ['BOT'], first: true } },
    ]);
    expect(conversation.agentSession).toMatchObject({ id: 'id-1', status: 'queued', desk: DESK, team: 'billing', agentId: null, reason: 'rule', openedAt: NOW, closedAt: null });
    expect(conversation.team).toBe('billing');
    expect(conversation.botSession).toBeNull();
    expect(conversation.controlVersion).toBe(1);
  });

  it("keeps the rule's team for a desk-mode conversation over the context's", () => {
    const conv = aConversation({ mode: 'desk', team: 'vip', context: { topic: 'invoice' } });
    const { conversation } = transition(conv, customerMessage(), anEnv());
    expect(conversation.team).toBe('vip');
    expect(conversation.agentSession?.team).toBe('vip');
  });

  it('queues a desk-mode conversation in the general queue when no team matches', () => {
    const { conversation } = transition(aConversation({ mode: 'desk', context: { topic: 'weather' } }), customerMessage(), anEnv());
    expect(conversation.agentSession?.team).toBeNull();
  });

  it('sends later messages to the open agent session of a desk-mode conversation', () => {
    const { env, conv } = started('desk');
    const { conversation, events } = transition(conv, customerMessage('m-2'), env);
    expect(events).toEqual([{ type: 'message.received', data: { messageId: 'm-2', controller: 'desk', controlVersion: expect.any(Number), botSessionId: SESSION, agentSessionId: SESSION, categories: ['BOT'] } }]);
    expect(conversation.agentSession?.id).toBe('id-1');
  });

  it('sends messages to the desk after a handover without touching the bot session', () => {
    const { env, conv } = handedOver('bot');
    const { conversation, events } = transition(conv, customerMessage('m-2'), env);
    expect(events).toEqual([{ type: 'message.received', data: { messageId: 'm-2', controller: 'desk', controlVersion: expect.any(Number), botSessionId: SESSION, agentSessionId: SESSION, categories: ['AGENT'] } }]);
    expect(conversation.botSession?.id).toBe('id-1');
    expect(conversation.agentSession?.id).toBe('id-2');
  });

  it('reopens a closed conversation with a new bot session', () => {
    const { env, conv } = started('bot');
    const closed = apply(conv, env, { type: 'close' });
    const { conversation, events } = transition(closed, customerMessage('m-2'), at(env, after(60_000)));
    expect(events).toEqual([
      { type: 'conversation.reopened', data: {} },
      { type: 'bot_session.opened', data: { botSessionId: 'id-2', componentId: BOT } },
      // A closed conversation starts a new thread: its first message, under the thread's own id.
      { type: 'message.received', data: { messageId: 'm-2', controller: 'bot', controlVersion: expect.any(Number), botSessionId: SESSION, agentSessionId: SESSION, categories: ['BOT'], first: true, threadId: 'conv-1.2' } },
    ]);
    expect(conversation.status).toBe('open');
    expect(conversation.botSession?.id).toBe('id-2');
  });

  it('reports nobody in control when the emergency leaves a desk-less conversation without anyone', () => {
    const env = anEnv({ account: anAccount({ emergency: true, defaultDesk: null }) });
    const { conversation, events } = transition(aConversation({ mode: 'bot' }, env.account), customerMessage(), env);
    expect(events).toEqual([{ type: 'message.received', data: { messageId: 'm-1', controller: 'none', controlVersion: expect.any(Number), botSessionId: SESSION, agentSessionId: SESSION, categories: ['AGENT'], first: true } }]);
    expect(conversation.botSession).toBeNull();
    expect(conversation.agentSession).toBeNull();
  });
});

describe('reply', () => {
  it('accepts a reply from the bot in control and changes nothing but the clock', () => {
    const { env, conv } = started('bot');
    const { conversation, events } = transition(conv, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1' }, at(env, after(1000)));
    expect(events).toEqual([{ type: 'message.sent', data: { messageId: 'r-1', componentId: BOT, authorKind: 'bot', agentId: null, botSessionId: 'id-1', agentSessionId: null, categories: ['BOT'] } }]);
    expect(withoutClock(conversation)).toEqual(withoutClock(conv));
  });

  it('refuses a reply from the bot after handover (component_disabled)', () => {
    const { env, conv } = handedOver('bot');
    const err = expectRefused(() => transition(conv, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1' }, env), 'component_disabled');
    expect(err.details).toEqual({ componentId: BOT, controller: 'desk', controlVersion: 2 });
    expect(err.message).toContain(`the desk ${DEFAULT_DESK} is in control`);
  });

  it('refuses a reply from the dormant desk in bot+desk mode (component_disabled)', () => {
    const { env, conv } = started('bot+desk');
    const err = expectRefused(() => transition(conv, { type: 'reply', componentId: DESK, authorKind: 'agent', agentId: 'agent-7', messageId: 'r-1' }, env), 'component_disabled');
    expect(err.details).toMatchObject({ componentId: DESK, controller: 'bot' });
  });

  it('refuses a reply from the bot while the account emergency is on (component_disabled)', () => {
    const { env, conv } = started('bot+desk');
    expectRefused(() => transition(conv, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1' }, withAccount(env, { emergency: true })), 'component_disabled');
  });

  it('refuses a reply from a component that takes no part (component_disabled)', () => {
    const { env, conv } = started('bot');
    expectRefused(() => transition(conv, { type: 'reply', componentId: 'stranger', authorKind: 'bot', messageId: 'r-1' }, env), 'component_disabled');
  });

  it('accepts a reply from a component enabled by a mutation', () => {
    const { env, conv } = started('bot');
    const enabled = apply(conv, env, { type: 'mutate', mutations: [{ componentId: 'helper', enabled: true }] });
    const { events } = transition(enabled, { type: 'reply', componentId: 'helper', authorKind: 'system', messageId: 'r-1' }, env);
    expect(types(events)).toEqual(['message.sent']);
  });

  it('marks the agent session as answered and assigns it to the first agent who replies', () => {
    const { env, conv } = handedOver('bot');
    const { conversation, events } = transition(conv, { type: 'reply', componentId: DEFAULT_DESK, authorKind: 'agent', agentId: 'agent-7', messageId: 'r-1' }, env);
    // Answering takes the conversation, visibly: an assignment event before the message.
    expect(events).toEqual([
      { type: 'agent_session.assigned', data: { agentSessionId: expect.any(String), agentId: 'agent-7', reason: 'reply' } },
      { type: 'message.sent', data: { messageId: 'r-1', componentId: DEFAULT_DESK, authorKind: 'agent', agentId: 'agent-7', botSessionId: SESSION, agentSessionId: expect.any(String), categories: ['AGENT'] } },
    ]);
    expect(conversation.agentSession).toMatchObject({ hadAgentReply: true, agentId: 'agent-7', status: 'assigned' });
    expect(conversation.controlVersion).toBe(2);
  });

  it('keeps the assigned agent when another agent of the desk replies', () => {
    const { env, conv } = handedOver('bot');
    const assigned = apply(conv, env, { type: 'assign', agentId: 'agent-7' });
    const { conversation } = transition(assigned, { type: 'reply', componentId: DEFAULT_DESK, authorKind: 'agent', agentId: 'agent-8', messageId: 'r-1' }, env);
    expect(conversation.agentSession?.agentId).toBe('agent-7');
  });

  it('does not count a system message from the desk as an agent reply', () => {
    const { env, conv } = handedOver('bot');
    const { conversation } = transition(conv, { type: 'reply', componentId: DEFAULT_DESK, authorKind: 'system', messageId: 'r-1' }, env);
    expect(conversation.agentSession).toMatchObject({ hadAgentReply: false, agentId: null, status: 'queued' });
  });

  it('accepts a reply that expects the current control version', () => {
    const { env, conv } = started('bot');
    const { events } = transition(conv, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1', expectedVersion: 1 }, env);
    expect(types(events)).toEqual(['message.sent']);
  });

  it('refuses a reply that expects a control version that has moved on (stale_control)', () => {
    const { env, conv } = started('bot');
    const err = expectRefused(() => transition(conv, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1', expectedVersion: 0 }, env), 'stale_control');
    expect(err.details).toEqual({ controlVersion: 1, expectedVersion: 0 });
  });

  it('refuses the bot answering over a human who just took over with the version it last saw (stale_control)', () => {
    const { env, conv } = started('bot+desk');
    const seen = conv.controlVersion;
    const taken = apply(conv, env, { type: 'takeover' });
    expectRefused(() => transition(taken, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1', expectedVersion: seen }, env), 'stale_control');
  });
});

describe('handover', () => {
  it('hands a bot conversation to the default desk, queued for the team of its context', () => {
    const { env, conv } = started('bot');
    const { conversation, events } = transition(conv, { type: 'handover', by: BOT, note: 'wants a human', context: { topic: 'invoice' } }, env);
    expect(events).toEqual([
      {
        type: 'handover',
        data: { by: BOT, reason: 'bot', agentSessionId: 'id-2', desk: DEFAULT_DESK, team: 'billing', note: 'wants a human', context: { topic: 'invoice' }, agentId: null, controlVersion: 2, controller: 'desk' },
      },
    ]);
    expect(conversation).toMatchObject({ controller: 'desk', controlVersion: 2, desk: DEFAULT_DESK, team: 'billing', mutations: { [BOT]: false }, context: { topic: 'invoice' }, categories: ['AGENT'] });
    expect(conversation.agentSession).toEqual({
      id: 'id-2',
      status: 'queued',
      desk: DEFAULT_DESK,
      team: 'billing',
      agentId: null,
      note: 'wants a human',
      context: { topic: 'invoice' },
      reason: 'bot',
      hadAgentReply: false,
      openedAt: NOW,
      closedAt: null,
      closeReason: null,
    });
    expect(conversation.botSession?.id).toBe('id-1');
  });

  it('wakes the dormant desk of a bot+desk conversation', () => {
    const { env, conv } = started('bot+desk');
    const { conversation, events } = transition(conv, { type: 'handover', by: BOT }, env);
    expect(types(events)).toEqual(['handover']);
    expect(events[0]?.data).toMatchObject({ desk: DESK, team: null, controlVersion: 2, controller: 'desk' });
    expect(isEnabled(conversation, env.account, DESK)).toBe(true);
    expect(isEnabled(conversation, env.account, BOT)).toBe(false);
  });

  it('honours the team, desk and reason the command names', () => {
    const { env, conv } = started('bot+desk');
    const { conversation, events } = transition(conv, { type: 'handover', team: 'sales', desk: 'desk-2', reason: 'recategorised', context: { topic: 'invoice' } }, env);
    expect(events[0]?.data).toMatchObject({ by: null, reason: 'recategorised', desk: 'desk-2', team: 'sales' });
    expect(conversation.desk).toBe('desk-2');
    expect(conversation.team).toBe('sales');
  });

  it('routes on context values the conversation already has, numbers included', () => {
    const { env, conv } = started('bot');
    const { conversation } = transition({ ...conv, context: { code: 42 } }, { type: 'handover' }, env);
    expect(conversation.team).toBe('sales');
  });

  it('queues in the general queue when no team matches the context', () => {
    const { env, conv } = started('bot');
    const { conversation } = transition(conv, { type: 'handover', context: { topic: 'weather' } }, env);
    expect(conversation.team).toBeNull();
    expect(conversation.agentSession?.team).toBeNull();
  });

  it('accepts a handover that expects the current version', () => {
    const { env, conv } = started('bot');
    expect(transition(conv, { type: 'handover', by: BOT, expectedVersion: 1 }, env).conversation.controlVersion).toBe(2);
  });

  it('refuses a handover that expects an old version (stale_control)', () => {
    const { env, conv } = handedOver('bot+desk');
    const back = apply(conv, env, { type: 'handback' });
    expectRefused(() => transition(back, { type: 'handover', by: BOT, expectedVersion: 2 }, env), 'stale_control');
  });

  it('refuses a handover when the desk already has the conversation (invalid_transition)', () => {
    const { env, conv } = handedOver('bot');
    expectRefused(() => transition(conv, { type: 'handover' }, env), 'invalid_transition');
    expectRefused(() => transition(conv, { type: 'handover', by: DEFAULT_DESK }, env), 'invalid_transition');
  });

  it('refuses a handover from the bot once it is disabled (component_disabled)', () => {
    const { env, conv } = handedOver('bot');
    expectRefused(() => transition(conv, { type: 'handover', by: BOT }, env), 'component_disabled');
  });

  it('refuses a handover raised by the dormant desk of a bot+desk conversation (component_disabled)', () => {
    const { env, conv } = started('bot+desk');
    expectRefused(() => transition(conv, { type: 'handover', by: DESK }, env), 'component_disabled');
  });

  it('refuses a handover in a desk-only conversation (invalid_transition)', () => {
    const { env, conv } = started('desk');
    expectRefused(() => transition(conv, { type: 'handover' }, env), 'invalid_transition');
  });

  it('refuses a handover when neither the rule nor the account names a desk (invalid_transition)', () => {
    const env = anEnv({ account: anAccount({ defaultDesk: null }) });
    const { conv } = started('bot', env);
    expectRefused(() => transition(conv, { type: 'handover', by: BOT }, env), 'invalid_transition');
  });

  describe('availability', () => {
    const noAgents = (policy: 'queue' | 'keep-bot') => anEnv({ realtime: true, agentsAvailable: false, account: anAccount({ availability: { policy, waitMs: 60_000 } }) });

    it('keeps the bot in control and tells it when no agent is online and the policy is keep-bot', () => {
      const env = noAgents('keep-bot');
      const { conv } = started('bot', env);
      const { conversation, events } = transition(conv, { type: 'handover', by: BOT, context: { topic: 'invoice' } }, at(env, after(1000)));
      expect(events).toEqual([{ type: 'handover.rejected', data: { by: BOT, reason: 'no_agents_available', team: 'billing', desk: DEFAULT_DESK } }]);
      expect(withoutClock(conversation)).toEqual(withoutClock(conv));
    });

    it('hands over anyway when no agent is online and the policy is queue', () => {
      const env = noAgents('queue');
      const { conv } = started('bot', env);
      const { conversation, events } = transition(conv, { type: 'handover', by: BOT }, env);
      expect(types(events)).toEqual(['handover']);
      expect(conversation.controller).toBe('desk');
      expect(conversation.agentSession?.status).toBe('queued');
    });

    it('hands over under keep-bot when agents are online', () => {
      const env = anEnv({ realtime: true, agentsAvailable: true, account: anAccount({ availability: { policy: 'keep-bot', waitMs: 0 } }) });
      const { conv } = started('bot', env);
      expect(types(transition(conv, { type: 'handover', by: BOT }, env).events)).toEqual(['handover']);
    });

    it('does not ask about agents on a channel that is not real-time', () => {
      const env = anEnv({ realtime: false, agentsAvailable: false, account: anAccount({ availability: { policy: 'keep-bot', waitMs: 0 } }) });
      const { conv } = started('bot', env);
      expect(types(transition(conv, { type: 'handover', by: BOT }, env).events)).toEqual(['handover']);
    });
  });
});

describe('takeover', () => {
  it('lets a desk take control from the bot, naming itself and the agent', () => {
    const { env, conv } = started('bot');
    const { conversation, events } = transition(conv, { type: 'takeover', by: 'desk-x', agentId: 'agent-7' }, env);
    expect(events).toEqual([
      {
        type: 'takeover',
        data: { by: 'desk-x', reason: 'takeover', agentSessionId: 'id-2', desk: 'desk-x', team: null, note: null, context: {}, agentId: 'agent-7', controlVersion: 2, controller: 'desk' },
      },
    ]);
    expect(conversation).toMatchObject({ desk: 'desk-x', controller: 'desk', controlVersion: 2, mutations: { [BOT]: false } });
    expect(conversation.agentSession).toMatchObject({ id: 'id-2', status: 'assigned', agentId: 'agent-7', reason: 'takeover' });
  });

  it('wakes the dormant desk of a bot+desk conversation when nobody is named', () => {
    const { env, conv } = started('bot+desk');
    const { conversation, events } = transition(conv, { type: 'takeover' }, env);
    expect(events[0]?.data).toMatchObject({ by: null, desk: DESK, agentId: null });
    expect(conversation.agentSession?.status).toBe('queued');
    expect(controllerOf(conversation, env.account)).toBe('desk');
  });

  it('refuses a takeover when the bot is not in control (invalid_transition)', () => {
    const { env, conv } = handedOver('bot+desk');
    expectRefused(() => transition(conv, { type: 'takeover', by: DESK }, env), 'invalid_transition');
  });

  it('refuses a takeover in a desk-only conversation (invalid_transition)', () => {
    const { env, conv } = started('desk');
    expectRefused(() => transition(conv, { type: 'takeover', by: DESK }, env), 'invalid_transition');
  });

  it('refuses a takeover that expects an old version (stale_control), accepts the current one', () => {
    const { env, conv } = started('bot+desk');
    expectRefused(() => transition(conv, { type: 'takeover', by: DESK, expectedVersion: 7 }, env), 'stale_control');
    expect(transition(conv, { type: 'takeover', by: DESK, expectedVersion: 1 }, env).conversation.controller).toBe('desk');
  });
});

describe('handback', () => {
  it('closes the agent session and gives control back to the bot', () => {
    const { env, conv } = handedOver('bot');
    const later = at(env, after(60_000));
    const { conversation, events } = transition(conv, { type: 'handback', by: DEFAULT_DESK }, later);
    expect(events).toEqual([
      { type: 'agent_session.closed', data: { agentSessionId: 'id-2', reason: 'handback', agentId: null, categories: ['AGENT'] } },
      { type: 'handback', data: { by: DEFAULT_DESK, reason: 'handback', bot: BOT, position: null, controlVersion: 3, controller: 'bot' } },
    ]);
    expect(conversation).toMatchObject({ controller: 'bot', controlVersion: 3, mutations: { [BOT]: true }, categories: ['BOT'], position: null });
    expect(conversation.agentSession).toMatchObject({ id: 'id-2', status: 'closed', closedAt: later.now });
    expect(conversation.botSession?.id).toBe('id-1');
  });

  it('emits the handback and then the position request for the bot', () => {
    const { env, conv } = handedOver('bot');
    const position = { flow: 'billing', step: 'ask-invoice' };
    const { conversation, events } = transition(conv, { type: 'handback', by: DEFAULT_DESK, position, reason: 'resolved' }, env);
    expect(types(events)).toEqual(['agent_session.closed', 'handback', 'position.requested']);
    expect(events[1]?.data).toMatchObject({ reason: 'resolved', position, controlVersion: 3 });
    expect(events[2]?.data).toEqual({ by: DEFAULT_DESK, flow: 'billing', step: 'ask-invoice' });
    expect(conversation.position).toEqual(position);
  });

  it('opens a new bot session when the bot had closed its own', () => {
    const { env, conv } = handedOver('bot');
    const closed = apply(conv, env, { type: 'close_bot_session', by: BOT });
    const { conversation, events } = transition(closed, { type: 'handback' }, env);
    expect(types(events)).toEqual(['agent_session.closed', 'handback', 'bot_session.opened']);
    expect(conversation.botSession?.id).toBe('id-3');
  });

  it('puts the bot+desk desk back to sleep', () => {
    const { env, conv } = handedOver('bot+desk');
    const { conversation } = transition(conv, { type: 'handback', by: DESK }, env);
    expect(isEnabled(conversation, env.account, DESK)).toBe(false);
    expect(conversation.controller).toBe('bot');
  });

  it('refuses a handback when the bot is already in control (invalid_transition)', () => {
    const { env, conv } = started('bot');
    expectRefused(() => transition(conv, { type: 'handback' }, env), 'invalid_transition');
    expectRefused(() => transition(conv, { type: 'handback', by: BOT }, env), 'invalid_transition');
  });

  it('refuses a handback during the account emergency (invalid_transition)', () => {
    const { env, conv } = handedOver('bot');
    expectRefused(() => transition(conv, { type: 'handback', by: DEFAULT_DESK }, withAccount(env, { emergency: true })), 'invalid_transition');
  });

  it('refuses a handback in a conversation without a bot (invalid_transition)', () => {
    const { env, conv } = started('desk');
    expectRefused(() => transition(conv, { type: 'handback', by: DESK }, env), 'invalid_transition');
  });

  it('refuses a handback asked for by a component that is not enabled (component_disabled)', () => {
    const { env, conv } = handedOver('bot');
    expectRefused(() => transition(conv, { type: 'handback', by: BOT }, env), 'component_disabled');
  });

  it('refuses a handback that expects an old version (stale_control), accepts the current one', () => {
    const { env, conv } = handedOver('bot');
    expectRefused(() => transition(conv, { type: 'handback', expectedVersion: 1 }, env), 'stale_control');
    expect(transition(conv, { type: 'handback', expectedVersion: 2 }, env).conversation.controlVersion).toBe(3);
  });
});

describe('position', () => {
  it('records the requested flow and step without moving control', () => {
    const { env, conv } = started('bot');
    const { conversation, events } = transition(conv, { type: 'position', flow: 'main', step: 'greet', by: 'cms' }, env);
    expect(events).toEqual([{ type: 'position.requested', data: { by: 'cms', flow: 'main', step: 'greet' } }]);
    expect(conversation.position).toEqual({ flow: 'main', step: 'greet' });
    expect(conversation.controlVersion).toBe(1);
  });
});

describe('reset', () => {
  it("drops the mutations so the rule's bot is back in control and the agent session ends", () => {
    const { env, conv } = handedOver('bot');
    const { conversation, events } = transition(conv, { type: 'reset', by: 'admin' }, env);
    expect(events).toEqual([
      { type: 'agent_session.closed', data: { agentSessionId: 'id-2', reason: 'reset', agentId: null, categories: ['AGENT'] } },
      { type: 'reset', data: { by: 'admin', reason: 'reset', controller: 'bot', controlVersion: 3 } },
    ]);
    expect(conversation).toMatchObject({ mutations: {}, controller: 'bot', controlVersion: 3, team: null, categories: ['BOT'], emergency: false });
    expect(conversation.agentSession?.status).toBe('closed');
  });

  it('keeps a desk-only conversation with its desk and its agent session', () => {
    const { env, conv } = started('desk');
    const { conversation, events } = transition(conv, { type: 'reset' }, env);
    expect(types(events)).toEqual(['reset']);
    expect(events[0]?.data).toMatchObject({ controller: 'desk' });
    expect(conversation.agentSession?.status).toBe('queued');
  });

  it('drops a desk mutation that left nobody in control', () => {
    const { env, conv } = started('desk');
    const off = apply(conv, env, { type: 'mutate', mutations: [{ componentId: DESK, enabled: false }] });
    expect(off.controller).toBe('none');
    const { conversation } = transition(off, { type: 'reset' }, env);
    expect(conversation.controller).toBe('desk');
    expect(conversation.controlVersion).toBe(off.controlVersion + 1);
  });

  it('refuses a reset that expects an old version (stale_control)', () => {
    const { env, conv } = handedOver('bot');
    expectRefused(() => transition(conv, { type: 'reset', expectedVersion: 1 }, env), 'stale_control');
  });
});

describe('mutate', () => {
  it('treats the bot disabling itself as a handover (CM disableComponent)', () => {
    const { env, conv } = started('bot+desk');
    const { conversation, events } = transition(conv, { type: 'mutate', by: BOT, mutations: [{ componentId: BOT, enabled: false }] }, env);
    expect(types(events)).toEqual(['handover', 'control.mutated']);
    expect(events[0]?.data).toMatchObject({ by: BOT, reason: 'bot', desk: DESK, controlVersion: 2, controller: 'desk' });
    expect(events[1]?.data).toEqual({ by: BOT, mutations: [{ componentId: BOT, enabled: false }], context: null, controller: 'desk' });
    expect(conversation.controller).toBe('desk');
    expect(conversation.agentSession?.id).toBe('id-2');
  });

  it('treats the desk disabling the bot as a takeover', () => {
    const { env, conv } = started('bot+desk');
    const { conversation, events } = transition(conv, { type: 'mutate', by: DESK, mutations: [{ componentId: BOT, enabled: false }] }, env);
    expect(types(events)).toEqual(['takeover', 'control.mutated']);
    expect(events[0]?.data).toMatchObject({ by: DESK, reason: 'takeover', controlVersion: 2 });
    expect(conversation.controlVersion).toBe(2);
  });

  it('treats an anonymous disabling of the bot as a handover', () => {
    const { env, conv } = started('bot');
    const { events } = transition(conv, { type: 'mutate', mutations: [{ componentId: BOT, enabled: false }] }, env);
    expect(types(events)).toEqual(['handover', 'control.mutated']);
    expect(events[0]?.data).toMatchObject({ by: null, reason: 'bot', desk: DEFAULT_DESK });
  });

  it('routes a handover by the context that comes with the mutation', () => {
    const { env, conv } = started('bot+desk');
    const { conversation, events } = transition(conv, { type: 'mutate', by: BOT, context: { topic: 'invoice' }, mutations: [{ componentId: BOT, enabled: false }] }, env);
    expect(types(events)).toEqual(['context.updated', 'handover', 'control.mutated']);
    expect(events[0]?.data).toEqual({ context: { topic: 'invoice' } });
    expect(conversation.team).toBe('billing');
  });

  it('gives the mutation\'s context to the agent session and the handover event, as a handover does (CM: "the full context")', () => {
    const { env, conv } = started('bot+desk');
    const { conversation, events } = transition(conv, { type: 'mutate', by: BOT, context: { topic: 'shoes' }, mutations: [{ componentId: BOT, enabled: false }] }, env);
    expect(events[1]?.data).toMatchObject({ context: { topic: 'shoes' }, team: null });
    expect(conversation.agentSession?.context).toEqual({ topic: 'shoes' });
  });

  it('treats enabling the disabled bot as a handback', () => {
    const { env, conv } = handedOver('bot+desk');
    const { conversation, events } = transition(conv, { type: 'mutate', by: DESK, mutations: [{ componentId: BOT, enabled: true }] }, env);
    expect(types(events)).toEqual(['agent_session.closed', 'handback', 'control.mutated']);
    expect(events[1]?.data).toMatchObject({ by: DESK, reason: 'handback', controlVersion: 3 });
    expect(conversation.controller).toBe('bot');
  });

  it('refuses enabling the bot during the account emergency (invalid_transition)', () => {
    const { env, conv } = handedOver('bot+desk');
    expectRefused(() => transition(conv, { type: 'mutate', mutations: [{ componentId: BOT, enabled: true }] }, withAccount(env, { emergency: true })), 'invalid_transition');
  });

  it('enables an observer component without moving control', () => {
    const { env, conv } = started('bot');
    const { conversation, events } = transition(conv, { type: 'mutate', mutations: [{ componentId: 'helper', enabled: true }] }, env);
    expect(types(events)).toEqual(['control.mutated']);
    expect(events[0]?.data).toEqual({ by: null, mutations: [{ componentId: 'helper', enabled: true }], context: null, controller: 'bot' });
    expect(conversation.mutations).toEqual({ helper: true });
    expect(conversation.controlVersion).toBe(1);
  });

  it('moves the version when disabling the only desk leaves nobody in control', () => {
    const { env, conv } = started('desk');
    const { conversation, events } = transition(conv, { type: 'mutate', mutations: [{ componentId: DESK, enabled: false }] }, env);
    expect(events).toEqual([{ type: 'control.mutated', data: { by: null, mutations: [{ componentId: DESK, enabled: false }], context: null, controller: 'none', controlVersion: 2 } }]);
    expect(conversation).toMatchObject({ controller: 'none', controlVersion: 2 });
  });

  it('refuses a mutation that expects an old version (stale_control)', () => {
    const { env, conv } = started('bot');
    expectRefused(() => transition(conv, { type: 'mutate', mutations: [], expectedVersion: 0 }, env), 'stale_control');
  });
});

describe('close_bot_session', () => {
  it('closes the bot session without moving control, and the next message opens a new one', () => {
    const { env, conv } = started('bot');
    const { conversation, events } = transition(conv, { type: 'close_bot_session', by: BOT }, env);
    expect(events).toEqual([{ type: 'bot_session.closed', data: { botSessionId: 'id-1', by: BOT } }]);
    expect(conversation).toMatchObject({ botSession: null, controller: 'bot', controlVersion: 1 });
    const next = transition(conversation, customerMessage('m-2'), env);
    expect(types(next.events)).toEqual(['bot_session.opened', 'message.received']);
    expect(next.conversation.botSession?.id).toBe('id-2');
  });

  it('refuses closing a bot session that is not open (invalid_transition)', () => {
    const { env, conv } = started('desk');
    expectRefused(() => transition(conv, { type: 'close_bot_session' }, env), 'invalid_transition');
  });
});

describe('close_agent_session', () => {
  it('keeps the desk in control under agent-first', () => {
    const { env, conv } = handedOver('bot');
    const assigned = apply(conv, env, { type: 'assign', agentId: 'agent-7' });
    const { conversation, events } = transition(assigned, { type: 'close_agent_session' }, env);
    expect(events).toEqual([{ type: 'agent_session.closed', data: { agentSessionId: 'id-2', reason: 'closed', agentId: 'agent-7', categories: ['AGENT'] } }]);
    expect(conversation).toMatchObject({ controller: 'desk', controlVersion: 2, mutations: { [BOT]: false } });
    expect(conversation.agentSession).toMatchObject({ status: 'closed', closedAt: NOW });
  });

  it('names the agent who closed it', () => {
    const { env, conv } = handedOver('bot');
    const { events } = transition(conv, { type: 'close_agent_session', agentId: 'agent-9' }, env);
    expect(events[0]?.data).toMatchObject({ agentId: 'agent-9' });
  });

  it('hands back to the bot under bot-first', () => {
    const env = anEnv({ account: anAccount({ reopenPolicy: 'bot-first' }) });
    const { conv } = handedOver('bot', env);
    const { conversation, events } = transition(conv, { type: 'close_agent_session' }, env);
    expect(events).toEqual([
      { type: 'agent_session.closed', data: { agentSessionId: 'id-2', reason: 'closed', agentId: null, categories: ['AGENT'] } },
      { type: 'handback', data: { by: null, reason: 'agent_session_closed', bot: BOT, position: null, controlVersion: 3, controller: 'bot' } },
    ]);
    expect(conversation).toMatchObject({ controller: 'bot', controlVersion: 3, mutations: { [BOT]: true } });
  });

  it('keeps the desk in control under bot-first while the account emergency is on', () => {
    const env = anEnv({ account: anAccount({ reopenPolicy: 'bot-first' }) });
    const { conv } = handedOver('bot', env);
    const { conversation, events } = transition(conv, { type: 'close_agent_session' }, withAccount(env, { emergency: true }));
    expect(types(events)).toEqual(['agent_session.closed']);
    expect(conversation.controller).toBe('desk');
  });

  it('keeps a desk-only conversation with the desk under bot-first', () => {
    const env = anEnv({ account: anAccount({ reopenPolicy: 'bot-first' }) });
    const { conv } = started('desk', env);
    const { conversation, events } = transition(conv, { type: 'close_agent_session' }, env);
    expect(types(events)).toEqual(['agent_session.closed']);
    expect(conversation.controller).toBe('desk');
  });

  it('refuses when no agent session is open (invalid_transition)', () => {
    const { env, conv } = started('bot');
    expectRefused(() => transition(conv, { type: 'close_agent_session' }, env), 'invalid_transition');
  });

  it('refuses closing the same agent session twice (invalid_transition)', () => {
    const { env, conv } = handedOver('bot');
    const closed = apply(conv, env, { type: 'close_agent_session' });
    expectRefused(() => transition(closed, { type: 'close_agent_session' }, env), 'invalid_transition');
  });
});

describe('reopening after close_agent_session (thread inclusion delay)', () => {
  function closedAgentSession(policy: 'agent-first' | 'bot-first', mode: RuleAction = 'bot'): { env: TransitionEnv; conv: Conversation } {
    const env = anEnv({ account: anAccount({ reopenPolicy: policy }) });
    const s = mode === 'desk' ? started('desk', env) : handedOver(mode, env);
    return { env, conv: apply(s.conv, env, { type: 'close_agent_session' }) };
  }

  it('agent-first: reopens the same agent session for the desk within the delay', () => {
    const { env, conv } = closedAgentSession('agent-first');
    const { conversation, events } = transition(conv, customerMessage('m-2'), at(env, after(DELAY / 2)));
    expect(events).toEqual([
      { type: 'agent_session.reopened', data: { agentSessionId: 'id-2', policy: 'agent-first', handledBy: 'desk', categories: ['AGENT'] } },
      { type: 'message.received', data: { messageId: 'm-2', controller: 'desk', controlVersion: expect.any(Number), botSessionId: SESSION, agentSessionId: SESSION, categories: ['AGENT'] } },
    ]);
    expect(conversation.agentSession).toMatchObject({ id: 'id-2', status: 'queued', closedAt: null });
    expect(conversation.controlVersion).toBe(2);
  });

  it('agent-first: reopens to the agent who had it', () => {
    const env = anEnv();
    const { conv } = handedOver('bot', env);
    const closed = apply(conv, env, { type: 'assign', agentId: 'agent-7' }, { type: 'close_agent_session' });
    const { conversation } = transition(closed, customerMessage('m-2'), at(env, after(1000)));
    expect(conversation.agentSession).toMatchObject({ status: 'assigned', agentId: 'agent-7' });
  });

  it('agent-first: still reopens at exactly the delay', () => {
    const { env, conv } = closedAgentSession('agent-first');
    const { events } = transition(conv, customerMessage('m-2'), at(env, after(DELAY)));
    expect(types(events)).toEqual(['agent_session.reopened', 'message.received']);
  });

  it('agent-first: after the delay drops the mutations and the bot of the rule answers', () => {
    const { env, conv } = closedAgentSession('agent-first');
    const { conversation, events } = transition(conv, customerMessage('m-2'), at(env, after(DELAY + 1)));
    expect(events).toEqual([
      { type: 'reset', data: { by: null, reason: 'thread_inclusion_delay_expired', controlVersion: 3, controller: 'bot' } },
      { type: 'message.received', data: { messageId: 'm-2', controller: 'bot', controlVersion: expect.any(Number), botSessionId: SESSION, agentSessionId: SESSION, categories: ['BOT'], first: true, threadId: 'conv-1.2' } },
    ]);
    expect(conversation).toMatchObject({ agentSession: null, mutations: {}, controller: 'bot', controlVersion: 3 });
  });

  it('agent-first: after the delay a desk-only conversation gets a new agent session', () => {
    const { env, conv } = closedAgentSession('agent-first', 'desk');
    const { conversation, events } = transition(conv, customerMessage('m-2'), at(env, after(DELAY + 1)));
    expect(events).toEqual([
      { type: 'agent_session.opened', data: { agentSessionId: 'id-2', desk: DESK, team: null, reason: 'rule' } },
      { type: 'message.received', data: { messageId: 'm-2', controller: 'desk', controlVersion: expect.any(Number), botSessionId: SESSION, agentSessionId: SESSION, categories: ['BOT'], first: true, threadId: 'conv-1.2' } },
    ]);
    expect(conversation.agentSession).toMatchObject({ id: 'id-2', status: 'queued' });
    expect(conversation.controlVersion).toBe(1);
  });

  it('bot-first: within the delay the bot answers, and nothing of the humans reopens', () => {
    const { env, conv } = closedAgentSession('bot-first');
    const { conversation, events } = transition(conv, customerMessage('m-2'), at(env, after(DELAY / 2)));
    expect(events.map((e) => e.type)).toEqual(['message.received']);
    expect(events[0]?.data).toMatchObject({ messageId: 'm-2', controller: 'bot', agentSessionId: null, categories: ['BOT'] });
    expect(conversation.agentSession).toMatchObject({ id: 'id-2', status: 'closed' });
    expect(conversation.controller).toBe('bot');
  });

  it('bot-first: a handover after the customer came back opens a new agent session', () => {
    const { env, conv } = closedAgentSession('bot-first');
    const later = at(env, after(DELAY / 2));
    const back = apply(conv, later, customerMessage('m-2'));
    const { conversation, events } = transition(back, { type: 'handover', by: BOT }, later);
    expect(events[0]?.data).toMatchObject({ agentSessionId: 'id-3', controlVersion: 4 });
    expect(conversation.agentSession).toMatchObject({ id: 'id-3', status: 'queued', closedAt: null });
  });

  it('bot-first: after the delay the next handover opens a new agent session', () => {
    const { env, conv } = closedAgentSession('bot-first');
    const later = at(env, after(DELAY + 1));
    const { conversation, events } = transition(conv, customerMessage('m-2'), later);
    // The bot already had control back at close, so starting over moves nothing: no reset event, no new version.
    expect(types(events)).toEqual(['message.received']);
    expect(conversation).toMatchObject({ agentSession: null, mutations: {}, controller: 'bot', controlVersion: conv.controlVersion });
    const next = transition(conversation, { type: 'handover', by: BOT }, later);
    expect(next.conversation.agentSession).toMatchObject({ id: 'id-3', openedAt: later.now });
  });
});

describe('close', () => {
  it('closes a bot conversation and its bot session without moving control', () => {
    const { env, conv } = started('bot');
    const { conversation, events } = transition(conv, { type: 'close', by: BOT }, env);
    expect(events).toEqual([
      { type: 'bot_session.closed', data: { botSessionId: 'id-1', by: BOT } },
      { type: 'conversation.closed', data: { by: BOT } },
    ]);
    expect(conversation).toMatchObject({ status: 'closed', botSession: null, controller: 'bot', controlVersion: 1 });
  });

  it('closes the agent session first when the desk has the conversation', () => {
    const { env, conv } = handedOver('bot');
    const { conversation, events } = transition(conv, { type: 'close', by: DEFAULT_DESK }, env);
    expect(types(events)).toEqual(['agent_session.closed', 'bot_session.closed', 'conversation.closed']);
    expect(events[0]?.data).toEqual({ agentSessionId: 'id-2', reason: 'conversation_closed', agentId: null, categories: ['AGENT'] });
    expect(conversation.agentSession?.status).toBe('closed');
  });

  it('closes a desk-only conversation', () => {
    const { env, conv } = started('desk');
    const { events } = transition(conv, { type: 'close' }, env);
    expect(types(events)).toEqual(['agent_session.closed', 'conversation.closed']);
  });

  it('refuses closing twice (invalid_transition)', () => {
    const { env, conv } = started('bot');
    const closed = apply(conv, env, { type: 'close' });
    expectRefused(() => transition(closed, { type: 'close' }, env), 'invalid_transition');
  });

  it('refuses a close that expects an old version (stale_control)', () => {
    const { env, conv } = handedOver('bot');
    expectRefused(() => transition(conv, { type: 'close', expectedVersion: 1 }, env), 'stale_control');
  });
});

describe('agent session handling (assign, transfer, defer)', () => {
  it('assigns the queued session to an agent', () => {
    const { env, conv } = handedOver('bot');
    const { conversation, events } = transition(conv, { type: 'assign', agentId: 'agent-7' }, env);
    expect(events).toEqual([{ type: 'agent_session.assigned', data: { agentSessionId: 'id-2', agentId: 'agent-7' } }]);
    expect(conversation.agentSession).toMatchObject({ status: 'assigned', agentId: 'agent-7' });
    expect(conversation.controlVersion).toBe(2);
  });

  it('transfers the session to another team, back in its queue', () => {
    const { env, conv } = handedOver('bot');
    const assigned = apply(conv, env, { type: 'assign', agentId: 'agent-7' });
    const { conversation, events } = transition(assigned, { type: 'transfer', team: 'sales' }, env);
    expect(events).toEqual([{ type: 'agent_session.transferred', data: { agentSessionId: 'id-2', team: 'sales' } }]);
    expect(conversation.agentSession).toMatchObject({ status: 'queued', agentId: null, team: 'sales' });
    expect(conversation.team).toBe('sales');
  });

  it('transfers to the general queue', () => {
    const { env, conv } = handedOver('bot');
    const { conversation } = transition({ ...conv, team: 'billing' }, { type: 'transfer', team: null }, env);
    expect(conversation.team).toBeNull();
  });

  it("defers the session, naming the session's agent when none is given", () => {
    const { env, conv } = handedOver('bot');
    const assigned = apply(conv, env, { type: 'assign', agentId: 'agent-7' });
    const { conversation, events } = transition(assigned, { type: 'defer' }, env);
    expect(events).toEqual([{ type: 'agent_session.deferred', data: { agentSessionId: 'id-2', agentId: 'agent-7' } }]);
    expect(conversation.agentSession?.status).toBe('deferred');
    expect(transition(assigned, { type: 'defer', agentId: 'agent-8' }, env).events[0]?.data).toMatchObject({ agentId: 'agent-8' });
  });

  it.each<ControlCommand>([
    { type: 'assign', agentId: 'agent-7' },
    { type: 'transfer', team: 'sales' },
    { type: 'defer' },
  ])('refuses $type without an open agent session (invalid_transition)', (cmd) => {
    const { env, conv } = started('bot');
    expectRefused(() => transition(conv, cmd, env), 'invalid_transition');
    const closed = apply(handedOver('bot', env).conv, env, { type: 'close_agent_session' });
    expectRefused(() => transition(closed, cmd, env), 'invalid_transition');
  });
});

describe('update_context', () => {
  it('merges the context without moving control or re-routing', () => {
    const { env, conv } = handedOver('bot');
    const { conversation, events } = transition({ ...conv, context: { lang: 'nl' } }, { type: 'update_context', context: { topic: 'invoice' } }, env);
    expect(events).toEqual([{ type: 'context.updated', data: { context: { topic: 'invoice' } } }]);
    expect(conversation.context).toEqual({ lang: 'nl', topic: 'invoice' });
    expect(conversation.team).toBeNull();
    expect(conversation.controlVersion).toBe(2);
  });
});

describe('emergency', () => {
  const on = (env: TransitionEnv) => withAccount(env, { emergency: true });

  it('emergency_on hands a bot conversation to the default desk and records why', () => {
    const { env, conv } = started('bot');
    const { conversation, events } = transition(conv, { type: 'emergency_on' }, on(env));
    expect(events).toEqual([
      {
        type: 'handover',
        data: { by: null, reason: 'emergency', agentSessionId: 'id-2', desk: DEFAULT_DESK, team: null, note: null, context: {}, agentId: null, controlVersion: 2, controller: 'desk' },
      },
    ]);
    expect(conversation).toMatchObject({ emergency: true, mutations: {}, controller: 'desk', controlVersion: 2, desk: DEFAULT_DESK, categories: ['AGENT'] });
    expect(conversation.agentSession).toMatchObject({ id: 'id-2', status: 'queued', reason: 'emergency' });
  });

  it('with the account emergency on the bot may not answer', () => {
    const { env, conv } = started('bot+desk');
    const swept = apply(conv, on(env), { type: 'emergency_on' });
    expect(isEnabled(swept, on(env).account, BOT)).toBe(false);
    expect(isEnabled(swept, on(env).account, DESK)).toBe(true);
    expectRefused(() => transition(swept, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1' }, on(env)), 'component_disabled');
  });

  it('emergency_on forgets a handback mutation, so that the rule decides after the emergency', () => {
    const { env, conv } = handedOver('bot+desk');
    const back = apply(conv, env, { type: 'handback' });
    expect(back.mutations).toEqual({ [BOT]: true });
    const swept = apply(back, on(env), { type: 'emergency_on' });
    expect(swept.mutations).toEqual({});
    expect(swept.agentSession?.id).toBe('id-3');
  });

  it.each([
    ['already with the desk', () => handedOver('bot')],
    ['desk-only', () => started('desk')],
    ['closed', () => { const s = started('bot'); return { ...s, conv: apply(s.conv, s.env, { type: 'close' }) }; }],
  ])('emergency_on leaves a conversation that is %s alone', (_name, make) => {
    const { env, conv } = make();
    const { conversation, events } = transition(conv, { type: 'emergency_on' }, on(env));
    expect(events).toEqual([]);
    expect(withoutClock(conversation)).toEqual(withoutClock({ ...conv, controller: conversation.controller }));
    expect(conversation.emergency).toBe(false);
  });

  it('emergency_on is idempotent', () => {
    const { env, conv } = started('bot');
    const swept = apply(conv, on(env), { type: 'emergency_on' });
    const { conversation, events } = transition(swept, { type: 'emergency_on' }, on(env));
    expect(events).toEqual([]);
    expect(conversation.controlVersion).toBe(2);
  });

  it('emergency_off hands the conversation back to the bot', () => {
    const { env, conv } = started('bot+desk');
    const swept = apply(conv, on(env), { type: 'emergency_on' });
    const { conversation, events } = transition(swept, { type: 'emergency_off' }, env);
    expect(events).toEqual([
      { type: 'agent_session.closed', data: { agentSessionId: 'id-2', reason: 'emergency_ended', agentId: null, categories: ['AGENT'] } },
      { type: 'handback', data: { by: null, reason: 'emergency_ended', bot: BOT, position: null, controlVersion: 3, controller: 'bot' } },
    ]);
    expect(conversation).toMatchObject({ emergency: false, controller: 'bot', controlVersion: 3, categories: ['BOT'], mutations: {} });
    expect(isEnabled(conversation, env.account, DESK)).toBe(false);
  });

  it('emergency_off leaves a conversation the bot had handed over before the emergency with the desk', () => {
    const { env, conv } = handedOver('bot');
    const swept = apply(conv, on(env), { type: 'emergency_on' });
    const { conversation, events } = transition(swept, { type: 'emergency_off' }, env);
    expect(events).toEqual([]);
    expect(conversation.controller).toBe('desk');
    expect(conversation.agentSession?.status).toBe('queued');
  });

  it('emergency_off does nothing while the account switch is still on', () => {
    const { env, conv } = started('bot');
    const swept = apply(conv, on(env), { type: 'emergency_on' });
    const { conversation, events } = transition(swept, { type: 'emergency_off' }, on(env));
    expect(events).toEqual([]);
    expect(conversation.controller).toBe('desk');
  });

  it('hands a conversation that opens during the emergency to the humans, and back to the bot when it ends', () => {
    const env = on(anEnv());
    const opened = transition(aConversation({ mode: 'bot' }, env.account), customerMessage(), env);
    expect(types(opened.events)).toEqual(['agent_session.opened', 'message.received']);
    expect(opened.events[0]?.data).toEqual({ agentSessionId: 'id-1', desk: DEFAULT_DESK, team: null, reason: 'emergency' });
    expect(opened.events[1]?.data).toMatchObject({ controller: 'desk', controlVersion: 2 });
    expect(opened.conversation).toMatchObject({ emergency: true, controller: 'desk', controlVersion: 2, desk: DEFAULT_DESK, botSession: null });

    const ended = withAccount(env, { emergency: false });
    const { conversation, events } = transition(opened.conversation, { type: 'emergency_off' }, ended);
    expect(types(events)).toEqual(['agent_session.closed', 'handback']);
    expect(conversation).toMatchObject({ emergency: false, controller: 'bot', controlVersion: 3 });
    const next = transition(conversation, customerMessage('m-2'), ended);
    expect(next.events.at(-1)?.data).toMatchObject({ controller: 'bot' });
    expect(next.conversation.botSession?.id).toBe('id-2');
  });

  it('gives the desk a queued agent session for a desk-only conversation that opens during the emergency', () => {
    const env = on(anEnv());
    const { conversation, events } = transition(aConversation({ mode: 'desk' }, env.account), customerMessage(), env);
    expect(events[0]).toEqual({ type: 'agent_session.opened', data: { agentSessionId: 'id-1', desk: DESK, team: null, reason: 'emergency' } });
    expect(conversation.emergency).toBe(false);
  });

  it('does not open a second agent session when the sweep reaches a conversation after its customer wrote', () => {
    const { env, conv } = started('bot+desk');
    const wrote = apply(conv, on(env), customerMessage('m-2'));
    const { events } = transition(wrote, { type: 'emergency_on' }, on(env));
    expect(events).toEqual([]);
    expect(wrote.agentSession?.id).toBe('id-2');
  });
});

describe('handover_wait_expired', () => {
  const keepBot = () => anEnv({ account: anAccount({ availability: { policy: 'keep-bot', waitMs: 60_000 } }) });

  it('gives a still-queued handover back to the bot under keep-bot', () => {
    const env = keepBot();
    const { conv } = handedOver('bot', env);
    const { conversation, events } = transition(conv, { type: 'handover_wait_expired', agentSessionId: 'id-2' }, at(env, after(60_000)));
    expect(events).toEqual([
      { type: 'handover.rejected', data: { by: null, reason: 'no_agent_answered', team: null, desk: DEFAULT_DESK } },
      { type: 'agent_session.closed', data: { agentSessionId: 'id-2', reason: 'no_agent_answered', agentId: null, categories: ['AGENT'] } },
      { type: 'handback', data: { by: null, reason: 'no_agent_answered', bot: BOT, position: null, controlVersion: 3, controller: 'bot' } },
    ]);
    expect(conversation).toMatchObject({ controller: 'bot', controlVersion: 3 });
  });

  it.each([
    ['the session was assigned', (c: Conversation, env: TransitionEnv) => apply(c, env, { type: 'assign', agentId: 'agent-7' }), 'keep-bot', false],
    ['the timer is for an earlier session', (c: Conversation) => ({ ...c, agentSession: { ...c.agentSession!, id: 'id-other' } }), 'keep-bot', false],
    ['the policy is queue', (c: Conversation) => c, 'queue', false],
    ['the account emergency is on', (c: Conversation) => c, 'keep-bot', true],
  ] as const)('does nothing when %s', (_name, prepare, policy, emergency) => {
    const env = anEnv({ account: anAccount({ availability: { policy, waitMs: 60_000 }, emergency }) });
    const { conv } = handedOver('bot+desk', withAccount(env, { emergency: false }));
    const ready = prepare(conv, env);
    const { conversation, events } = transition(ready, { type: 'handover_wait_expired', agentSessionId: 'id-2' }, env);
    expect(events).toEqual([]);
    expect(withoutClock(conversation)).toEqual(withoutClock(ready));
  });
});

describe('control version', () => {
  it('moves once at every change of control and is carried by the event that changed it', () => {
    const env = anEnv();
    let conv = aConversation({ mode: 'bot+desk' });
    const seen: number[] = [];
    for (const cmd of [customerMessage(), { type: 'handover', by: BOT }, { type: 'handback', by: DESK }, { type: 'takeover', by: DESK }, { type: 'reset' }] as ControlCommand[]) {
      const r = transition(conv, cmd, env);
      const carried = r.events.filter((e) => 'controlVersion' in e.data);
      expect(carried.length).toBeLessThanOrEqual(1);
      if (carried[0]) expect(carried[0].data.controlVersion).toBe(r.conversation.controlVersion);
      conv = r.conversation;
      seen.push(conv.controlVersion);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it.each<ControlCommand>([
    { type: 'reply', componentId: DEFAULT_DESK, authorKind: 'agent', agentId: 'agent-7', messageId: 'r-1' },
    { type: 'position', flow: 'f', step: 's' },
    { type: 'update_context', context: { a: 'b' } },
    { type: 'assign', agentId: 'agent-7' },
    { type: 'transfer', team: 'sales' },
    { type: 'defer' },
    { type: 'close_bot_session' },
    { type: 'close_agent_session' },
    { type: 'close' },
    { type: 'customer_message', messageId: 'm-2' },
  ])('stays put for $type, which does not move control', (cmd) => {
    const { env, conv } = handedOver('bot');
    const { conversation } = transition(conv, cmd, env);
    expect(conversation.controlVersion).toBe(conv.controlVersion);
    expect(conversation.controller).toBe(conv.controller);
  });
});

// The id the test environment gives the offer made in the `offered` state.
const OFFER_ID = 'id-2';

describe('purity', () => {
  const position = { flow: 'main', step: 'start' };
  const every: { [K in CommandType]: { cmd: Extract<ControlCommand, { type: K }>; state: 'bot' | 'desk' | 'emergency' | 'work' | 'offered' } } = {
    customer_message: { cmd: { type: 'customer_message', messageId: 'm-2' }, state: 'desk' },
    reply: { cmd: { type: 'reply', componentId: DESK, authorKind: 'agent', agentId: 'agent-7', messageId: 'r-1' }, state: 'desk' },
    handover: { cmd: { type: 'handover', by: BOT, context: { topic: 'invoice' } }, state: 'bot' },
    takeover: { cmd: { type: 'takeover', by: 'desk-x', agentId: 'agent-7' }, state: 'bot' },
    handback: { cmd: { type: 'handback', position }, state: 'desk' },
    position: { cmd: { type: 'position', ...position }, state: 'bot' },
    reset: { cmd: { type: 'reset' }, state: 'desk' },
    mutate: { cmd: { type: 'mutate', by: DESK, context: { topic: 'x' }, mutations: [{ componentId: BOT, enabled: true }, { componentId: 'helper', enabled: true }] }, state: 'desk' },
    close_bot_session: { cmd: { type: 'close_bot_session' }, state: 'bot' },
    close_agent_session: { cmd: { type: 'close_agent_session' }, state: 'desk' },
    close: { cmd: { type: 'close' }, state: 'desk' },
    assign: { cmd: { type: 'assign', agentId: 'agent-7' }, state: 'desk' },
    transfer: { cmd: { type: 'transfer', team: 'sales' }, state: 'desk' },
    defer: { cmd: { type: 'defer' }, state: 'desk' },
    update_context: { cmd: { type: 'update_context', context: { topic: 'x' } }, state: 'bot' },
    emergency_on: { cmd: { type: 'emergency_on' }, state: 'bot' },
    emergency_off: { cmd: { type: 'emergency_off' }, state: 'emergency' },
    handover_wait_expired: { cmd: { type: 'handover_wait_expired', agentSessionId: 'id-2' }, state: 'desk' },
    bot_failover: { cmd: { type: 'bot_failover', botId: BOT, reason: 'circuit broken' }, state: 'bot' },
    message_status: { cmd: { type: 'message_status', messageId: 'r-1', componentId: BOT, status: 'failed', description: 'channel down' }, state: 'bot' },
    set_categories: { cmd: { type: 'set_categories', by: BOT, categories: ['OTHER', 'AGENT'] }, state: 'bot' },
    open_work_item: { cmd: { type: 'open_work_item', owner: { kind: 'component', id: BOT }, messageId: 'm-1' }, state: 'bot' },
    close_work_item: { cmd: { type: 'close_work_item', workItemId: 'id-2', by: BOT }, state: 'work' },
    add_note: { cmd: { type: 'add_note', agentId: 'agent-7', text: 'Customer is a reseller' }, state: 'desk' },
    widget_opened: { cmd: { type: 'widget_opened', opening: { referer: 'https://shop.example/cart', widgetLanguage: 'en', browserLanguage: 'nl', browser: null } }, state: 'bot' },
    pass_control: { cmd: { type: 'pass_control', by: BOT, to: DESK, metadata: { reason: 'billing' } }, state: 'bot' },
    offer_control: { cmd: { type: 'offer_control', by: BOT, to: DESK }, state: 'bot' },
    accept_control: { cmd: { type: 'accept_control', by: DESK }, state: 'offered' },
    offer_expired: { cmd: { type: 'offer_expired', offerId: OFFER_ID }, state: 'offered' },
  };

  it.each(Object.values(every))('$cmd.type does not change the conversation it is given', ({ cmd, state }) => {
    const env = anEnv({ account: anAccount({ availability: { policy: 'keep-bot', waitMs: 1 }, emergency: cmd.type === 'emergency_on' }) });
    const calm = withAccount(env, { emergency: false });
    const input =
      state === 'bot' ? started('bot+desk', calm).conv
      : state === 'desk' ? handedOver('bot+desk', calm).conv
      : state === 'offered' ? apply(started('bot+desk', calm).conv, calm, { type: 'offer_control', by: BOT, to: DESK, fallbackTo: DESK })
      : state === 'work' ? apply(started('bot+desk', calm).conv, calm, { type: 'open_work_item', owner: { kind: 'component', id: BOT }, messageId: 'm-1' }, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1' })
      : apply(started('bot+desk', calm).conv, withAccount(env, { emergency: true }), { type: 'emergency_on' });
    const snapshot = structuredClone(input);
    const { conversation, events } = transition(input, cmd, env);
    expect(events.length).toBeGreaterThan(0);
    expect(input).toEqual(snapshot);
    expect(conversation).not.toBe(input);
  });

  it('leaves the input alone when it refuses', () => {
    const { env, conv } = handedOver('bot');
    const snapshot = structuredClone(conv);
    expect(() => transition(conv, { type: 'mutate', mutations: [{ componentId: 'helper', enabled: true }, { componentId: BOT, enabled: true }] }, withAccount(env, { emergency: true }))).toThrow(BatonError);
    expect(conv).toEqual(snapshot);
  });
});

describe('reopening is only for sessions an agent closed', () => {
  it('a customer message soon after a handback does not reopen the closed agent session', () => {
    let conv = aConversation({ mode: 'bot+desk' });
    const env = anEnv();
    conv = transition(conv, { type: 'handover', by: BOT }, env).conversation;
    conv = transition(conv, { type: 'handback' }, env).conversation;
    const { conversation, events } = transition(conv, { type: 'customer_message', messageId: 'm-9' }, env);
    expect(types(events)).toEqual(['message.received']);
    expect(conversation.agentSession).toMatchObject({ status: 'closed', closeReason: 'handback' });
  });
});

describe('message status', () => {
  it('records the fate of a sent message without moving control', () => {
    const conv = aConversation({ mode: 'bot' });
    const { conversation, events } = transition(conv, { type: 'message_status', messageId: 'r-1', componentId: BOT, status: 'delivered' }, anEnv());
    expect(events).toEqual([{ type: 'message.status', data: { messageId: 'r-1', componentId: BOT, status: 'delivered', description: null } }]);
    expect(conversation.controlVersion).toBe(conv.controlVersion);
  });
});

describe('bot failover: a bot that cannot be reached does not leave the customer waiting', () => {
  const down: ControlCommand = { type: 'bot_failover', botId: BOT, reason: 'retries ran out' };

  it('hands a bot+desk conversation to the humans by default, with a note saying why', () => {
    const { env, conv } = started('bot+desk');
    const { conversation, events } = transition(conv, down, env);
    expect(conversation.controller).toBe('desk');
    expect(events[0]).toMatchObject({ type: 'handover', data: { reason: 'bot_unavailable', note: expect.stringContaining('retries ran out') } });
  });

  it('only tells everyone, once, when the rule gave no desk; the bot\'s next answer clears it', () => {
    const { env, conv } = started('bot');
    const first = transition(conv, down, env);
    expect(first.events).toEqual([{ type: 'bot.unavailable', data: { bot: BOT, reason: 'retries ran out', policy: 'notify' } }]);
    expect(transition(first.conversation, down, env).events).toEqual([]);
    const answered = transition(first.conversation, { type: 'reply', componentId: BOT, authorKind: 'bot', messageId: 'r-1' }, env).conversation;
    expect(transition(answered, down, env).events).toHaveLength(1);
  });

  it('follows the account policy, and does nothing once the humans have it', () => {
    const { env, conv } = started('bot+desk', withAccount(anEnv(), { botFailover: { policy: 'wait', afterMs: 30_000 } }));
    expect(transition(conv, down, env).events).toEqual([]);
    const handed = handedOver('bot+desk');
    expect(transition(handed.conv, down, handed.env).events).toEqual([]);
  });
});
