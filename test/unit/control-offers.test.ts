import { describe, expect, it } from 'vitest';
import { type ControlCommand, type TransitionEnv, transition } from '../../src/core/control.js';
import type { Conversation } from '../../src/core/conversation.js';
import { BatonError, type ErrorCode } from '../../src/core/errors.js';
import { recipients } from '../../src/core/fanout.js';
import { after, aConversation, anEnv, at, BOT, DESK, withAccount } from './builders.js';

function apply(conv: Conversation, env: TransitionEnv, ...cmds: ControlCommand[]): Conversation {
  return cmds.reduce((c, cmd) => transition(c, cmd, env).conversation, conv);
}

function refusal(conv: Conversation, env: TransitionEnv, cmd: ControlCommand): ErrorCode {
  try {
    transition(conv, cmd, env);
  } catch (err) {
    if (err instanceof BatonError) return err.code;
    throw err;
  }
  throw new Error('not refused');
}

/** A bot+desk chat the bot answers, after the customer's first message. */
function botAnswering(env = anEnv()): { env: TransitionEnv; conv: Conversation } {
  return { env, conv: apply(aConversation({ mode: 'bot+desk' }, env.account), env, { type: 'customer_message', messageId: 'm-1' }) };
}

const DEADLINE = after(60_000);

describe('offering control', () => {
  it('moves nothing until the offered desk accepts, and arms a timer at the deadline', () => {
    const { env, conv } = botAnswering();
    const r = transition(conv, { type: 'offer_control', by: BOT, to: DESK, deadline: DEADLINE, metadata: { topic: 'billing' } }, env);
    expect(r.state.holder).toBe('bot');
    expect(r.conversation.controlVersion).toBe(conv.controlVersion);
    expect(r.conversation.offer).toMatchObject({ to: DESK, by: BOT, deadline: DEADLINE, fallbackTo: null, metadata: { topic: 'billing' } });
    expect(r.events).toEqual([{ type: 'control.offered', data: { offerId: r.conversation.offer!.id, by: BOT, pending: DESK, deadline: DEADLINE, fallbackTo: null, metadata: { topic: 'billing' } } }]);
    expect(r.effects).toContainEqual({ kind: 'timer', timer: 'offer_deadline', ref: r.conversation.offer!.id, dueAt: DEADLINE });
  });

  it('lets only the offered component accept (forbidden for anyone else), then moves control with the caller\'s metadata', () => {
    const { env, conv } = botAnswering();
    const offered = apply(conv, env, { type: 'offer_control', by: BOT, to: DESK });
    expect(refusal(offered, env, { type: 'accept_control', by: BOT })).toBe('forbidden');
    expect(refusal(offered, env, { type: 'accept_control', by: 'someone-else' })).toBe('forbidden');
    const r = transition(offered, { type: 'accept_control', by: DESK, metadata: { ok: true } }, env);
    expect(r.state.holder).toBe('desk');
    expect(r.conversation.offer).toBeNull();
    expect(r.events.map((e) => e.type)).toEqual(['takeover']);
    expect(r.events[0]!.data).toMatchObject({ by: DESK, desk: DESK, switchboard: { via: 'accept', metadata: { ok: true }, offerId: offered.offer!.id } });
    expect(refusal(r.conversation, env, { type: 'accept_control', by: DESK })).toBe('invalid_transition');
  });

  it('hands control back to the bot when the bot accepts an offer from the desk', () => {
    const { env, conv } = botAnswering();
    const withDesk = apply(conv, env, { type: 'pass_control', by: BOT, to: DESK }, { type: 'offer_control', by: DESK, to: BOT });
    const r = transition(withDesk, { type: 'accept_control', by: BOT }, env);
    expect(r.state.holder).toBe('bot');
    expect(r.events.map((e) => e.type)).toEqual(['agent_session.closed', 'handback']);
  });

  it('refuses an offer to the holder, one that nobody could take, and a deadline already past', () => {
    const { env, conv } = botAnswering();
    expect(refusal(conv, env, { type: 'offer_control', by: BOT, to: BOT })).toBe('invalid_transition');
    expect(refusal(conv, env, { type: 'offer_control', by: BOT, to: DESK, deadline: after(-1) })).toBe('validation_failed');
    const emergency = withAccount(env, { emergency: true });
    const withDesk = apply(conv, env, { type: 'pass_control', by: BOT, to: DESK });
    expect(refusal(withDesk, emergency, { type: 'offer_control', by: DESK, to: BOT })).toBe('invalid_transition');
  });

  it('is voided by any move of control, and by a later offer', () => {
    const { env, conv } = botAnswering();
    const offered = apply(conv, env, { type: 'offer_control', by: BOT, to: DESK });
    const moved = apply(offered, env, { type: 'handover', by: BOT });
    expect(moved.offer).toBeNull();
    const again = apply(offered, env, { type: 'offer_control', by: BOT, to: DESK, deadline: DEADLINE });
    expect(again.offer!.id).not.toBe(offered.offer!.id);
    expect(transition(again, { type: 'offer_expired', offerId: offered.offer!.id }, env).events).toEqual([]);
  });
});

describe('an offer nobody accepted in time', () => {
  it('leaves control where it was without a fallback', () => {
    const { env, conv } = botAnswering();
    const offered = apply(conv, env, { type: 'offer_control', by: BOT, to: DESK, deadline: DEADLINE, metadata: { a: 1 } });
    const r = transition(offered, { type: 'offer_expired', offerId: offered.offer!.id }, at(env, DEADLINE));
    expect(r.state.holder).toBe('bot');
    expect(r.conversation.offer).toBeNull();
    expect(r.events).toEqual([{ type: 'control.offer_expired', data: { offerId: offered.offer!.id, pending: DESK, fallbackTo: null, metadata: { a: 1 } } }]);
  });

  it('passes control to the fallback', () => {
    const { env, conv } = botAnswering();
    const offered = apply(conv, env, { type: 'offer_control', by: BOT, to: DESK, deadline: DEADLINE, fallbackTo: DESK });
    const r = transition(offered, { type: 'offer_expired', offerId: offered.offer!.id }, at(env, DEADLINE));
    expect(r.state.holder).toBe('desk');
    expect(r.events.map((e) => e.type)).toEqual(['control.offer_expired', 'handover']);
    expect(r.events[1]!.data.switchboard).toMatchObject({ via: 'offer_expired' });
  });

  it('keeps control where it is when the fallback became impossible (the account\'s emergency holds the bot off)', () => {
    const { env, conv } = botAnswering();
    const withDesk = apply(conv, env, { type: 'pass_control', by: BOT, to: DESK }, { type: 'offer_control', by: DESK, to: BOT, deadline: DEADLINE, fallbackTo: BOT });
    const r = transition(withDesk, { type: 'offer_expired', offerId: withDesk.offer!.id }, withAccount(at(env, DEADLINE), { emergency: true }));
    expect(r.state.holder).toBe('desk');
    expect(r.events.map((e) => e.type)).toEqual(['control.offer_expired']);
  });
});

describe('passing control by name', () => {
  it('is a handover from the bot, a takeover when the desk asks for itself, a no-op for the holder', () => {
    const { env, conv } = botAnswering();
    expect(transition(conv, { type: 'pass_control', by: BOT, to: DESK }, env).events.map((e) => [e.type, e.data.by])).toEqual([['handover', BOT]]);
    expect(transition(conv, { type: 'pass_control', by: DESK, to: DESK }, env).events.map((e) => [e.type, e.data.by])).toEqual([['takeover', DESK]]);
    expect(transition(conv, { type: 'pass_control', by: DESK, to: BOT }, env).events).toEqual([]);
  });

  it('refuses a desk-to-desk move and a closed conversation', () => {
    const { env, conv } = botAnswering();
    const withDesk = apply(conv, env, { type: 'pass_control', by: BOT, to: DESK });
    expect(refusal(withDesk, env, { type: 'pass_control', by: DESK, to: 'another-desk' })).toBe('invalid_transition');
    expect(refusal(apply(conv, env, { type: 'close' }), env, { type: 'pass_control', by: BOT, to: DESK })).toBe('invalid_transition');
  });

  it('carries a release\'s metadata on its reset event', () => {
    const { env, conv } = botAnswering();
    const withDesk = apply(conv, env, { type: 'pass_control', by: BOT, to: DESK });
    const r = transition(withDesk, { type: 'reset', by: DESK, metadata: { resolved: true } }, env);
    expect(r.events.find((e) => e.type === 'reset')!.data.metadata).toEqual({ resolved: true });
  });
});

describe('who hears of an offer', () => {
  it('the conversation\'s components and the offered desk, even before it takes part', () => {
    const { env, conv } = botAnswering();
    const r = transition(conv, { type: 'offer_control', by: BOT, to: 'desk-x' }, env);
    const offered = { ...r.events[0]!, accountId: conv.accountId, conversationId: conv.id, seq: 1, at: env.now };
    expect(recipients(r.conversation, offered).map((x) => x.target)).toEqual([
      { kind: 'component', id: BOT },
      { kind: 'component', id: DESK },
      { kind: 'component', id: 'desk-x' },
    ]);
  });
});
