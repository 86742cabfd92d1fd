import { type Conversation, controllerOf, isAgentSessionOpen } from './conversation.js';
import type { Account } from './model.js';

/**
 * Who holds a conversation: the bot, the desk with nobody assigned yet, one agent of the desk, or
 * nobody (no bot enabled and no desk that may answer).
 */
export const HOLDERS = Object.freeze(['bot', 'desk', 'agent', 'nobody'] as const);
export type Holder = (typeof HOLDERS)[number];

/** Where the humans' side stands: no agent session, or the status of the current one. */
export const DESK_STATES = Object.freeze(['none', 'queued', 'assigned', 'deferred', 'reopened', 'closed'] as const);
export type DeskState = (typeof DESK_STATES)[number];

/**
 * The emergency as the conversation sees it: `off`; `on` when a switch handed it to the humans
 * (switching off gives it back); `account` when the account's switch is on but did not move this
 * conversation (it had no bot in front), so only the bot's refusal applies.
 */
export const EMERGENCY_STATES = Object.freeze(['off', 'on', 'account'] as const);
export type EmergencyState = (typeof EMERGENCY_STATES)[number];

/**
 * The control state of a conversation (docs/control-states.md): every routing decision reads it,
 * and only `transition()` (control.ts) changes what it is derived from.
 *
 * @example controlStateOf(conv, account) // { holder: 'agent', status: 'open', desk: 'assigned', botSession: 'open', emergency: 'off' }
 */
export interface ControlState {
  readonly holder: Holder;
  readonly status: 'open' | 'closed';
  readonly desk: DeskState;
  /** The bot's session (IMI Conversationid): a closed one is gone until the next customer message. */
  readonly botSession: 'open' | 'none';
  readonly emergency: EmergencyState;
}

export function controlStateOf(conv: Conversation, account: Pick<Account, 'emergency'>): ControlState {
  const controller = controllerOf(conv, account);
  const s = conv.agentSession;
  const holder: Holder = controller === 'bot' ? 'bot' : controller === 'none' ? 'nobody' : isAgentSessionOpen(s) && s.agentId ? 'agent' : 'desk';
  return {
    holder,
    status: conv.status,
    desk: s ? s.status : 'none',
    botSession: conv.botSession ? 'open' : 'none',
    emergency: conv.emergency ? 'on' : account.emergency ? 'account' : 'off',
  };
}

/** A state in one line, as the docs' table writes it: `agent open desk=assigned bot=open emergency=off`. */
export function describeState(s: ControlState): string {
  return `${s.holder} ${s.status} desk=${s.desk} bot=${s.botSession} emergency=${s.emergency}`;
}

/** Writes who controls the conversation, derived from its switches: the only writer of `controller`. */
export function assignController(conv: Conversation, account: Pick<Account, 'emergency'>): void {
  conv.controller = controllerOf(conv, account);
}
