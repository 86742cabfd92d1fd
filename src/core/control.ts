import type { ControlCommand, ControlEffect, ControlRequest, HandlerTable, Handler, TransitionEnv, TransitionResult } from './control-types.js';
import { assignController, controlStateOf } from './control-state.js';
import { type Conversation, controllerOf } from './conversation.js';
import { handoverHandlers } from './control-handover.js';
import { messageHandlers } from './control-messages.js';
import { offerHandlers } from './control-offers.js';
import { sessionHandlers } from './control-sessions.js';
import type { BatonError } from './errors.js';
import type { EventDraft } from './events.js';
import type { Account } from './model.js';

export type { CloserGuard, CommandType, ControlCommand, ControlEffect, ControlFacts, ControlRequest, TransitionEnv, TransitionResult } from './control-types.js';

/**
 * The control state machine (DESIGN.md section 3, docs/control-states.md) as one transition
 * function: `transition(conversation, command, facts)` returns the conversation it leaves, its
 * control state, the events the change emits and the effects (timers, audit lines) the router
 * writes with them, with no I/O. A refusal is a thrown `BatonError` with a stable code. The router
 * runs it inside a store transaction; tests run it bare.
 *
 * @example transition(conv, { type: 'handover', by: 'CmBot' }, facts).state.holder // 'desk'
 */
export function transition(current: Conversation, request: ControlRequest, env: TransitionEnv): TransitionResult {
  const cmd = resolveRequest(current, env.account, request);
  const conv = structuredClone(current);
  const events: EventDraft[] = [];
  (handlers[cmd.type] as Handler<ControlCommand>)(conv, cmd, env, events);
  assignController(conv, env.account);
  conv.updatedAt = env.now;
  return { conversation: conv, state: controlStateOf(conv, env.account), events, effects: effectsOf(current, conv, cmd, events, env) };
}

const handlers: HandlerTable = { ...messageHandlers, ...handoverHandlers, ...sessionHandlers, ...offerHandlers };

/**
 * The command a request means in the state under the conversation's lock. A desk's take is a
 * takeover while the bot holds the conversation (naming the version the agent saw) and an
 * assignment once the humans do, so two agents taking at once get `conversation_taken`.
 */
export function resolveRequest(conv: Conversation, account: Pick<Account, 'emergency'>, request: ControlRequest): ControlCommand {
  if (request.type !== 'take') return request;
  if (controllerOf(conv, account) === 'bot') return { type: 'takeover', by: request.by, agentId: request.agentId, ...(request.expectedVersion !== undefined ? { expectedVersion: request.expectedVersion } : {}) };
  return { type: 'assign', agentId: request.agentId };
}

/** Control commands worth an audit line; messages and context changes are in the event log. */
const AUDITED = new Set<ControlCommand['type']>(['bot_failover', 'handover', 'takeover', 'handback', 'position', 'reset', 'mutate', 'close_bot_session', 'close_agent_session', 'close', 'assign', 'transfer', 'defer', 'set_categories', 'handover_wait_expired', 'pass_control', 'offer_control', 'accept_control', 'offer_expired']);

/**
 * What the change asks for besides its events. A handover that queued a new agent session arms
 * the wait for an agent when the account keeps the bot meanwhile (`keep-bot` with `waitMs`); a
 * control command that changed something, or an answer that took the conversation, is audited.
 */
function effectsOf(prev: Conversation, next: Conversation, cmd: ControlCommand, events: EventDraft[], env: TransitionEnv): ControlEffect[] {
  const effects: ControlEffect[] = [];
  const s = next.agentSession;
  const { waitMs, policy } = env.account.availability;
  if (s && s.status === 'queued' && s.id !== prev.agentSession?.id && waitMs > 0 && policy === 'keep-bot' && events.some((e) => (e.type === 'handover' || e.type === 'takeover') && e.data.agentSessionId === s.id)) {
    effects.push({ kind: 'timer', timer: 'handover_wait', ref: s.id, dueAt: new Date(Date.parse(env.now) + waitMs).toISOString() });
  }
  // An offer with a deadline arms its timer; a later offer has its own, and the old one finds nothing to do.
  if (next.offer?.deadline && next.offer.id !== prev.offer?.id) effects.push({ kind: 'timer', timer: 'offer_deadline', ref: next.offer.id, dueAt: next.offer.deadline });
  const controlVersion = { from: prev.controlVersion, to: next.controlVersion };
  const types = events.map((e) => e.type);
  if (AUDITED.has(cmd.type) && events.length > 0) {
    // A desk that closes a session by its id acts for the session's agent.
    const agentId = 'agentId' in cmd && cmd.agentId !== undefined ? cmd.agentId : cmd.type === 'close_agent_session' && cmd.agentSessionId !== undefined ? prev.agentSession?.agentId ?? null : null;
    effects.push({ kind: 'audit', action: cmd.type, details: { by: 'by' in cmd ? cmd.by ?? null : null, agentId, controlVersion, events: types } });
  } else if (cmd.type === 'reply' && types.includes('agent_session.assigned')) {
    effects.push({ kind: 'audit', action: 'assign', details: { by: null, agentId: cmd.agentId ?? null, via: 'reply', controlVersion, events: types } });
  }
  return effects;
}

/** Refusals recorded in the log (`reply.refused`) although nothing else changes: an answer out of turn. */
const RECORDED_REFUSALS = new Set(['component_disabled', 'stale_control']);

export function recordsRefusal(err: BatonError): boolean {
  return RECORDED_REFUSALS.has(err.code);
}

/**
 * The event that records a refused reply, written in a transaction of its own once the refused
 * one rolled back; null for refusals the log does not keep.
 */
export function refusalEvent(conv: Conversation, reply: { componentId: string; authorKind: string; expectedVersion?: number }, err: BatonError): EventDraft | null {
  if (!RECORDED_REFUSALS.has(err.code)) return null;
  return { type: 'reply.refused', data: { componentId: reply.componentId, authorKind: reply.authorKind, reason: err.code, message: err.message, expectedVersion: reply.expectedVersion ?? null, controlVersion: conv.controlVersion } };
}
