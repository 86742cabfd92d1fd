import type { ControlState } from './control-state.js';
import type { Conversation, WorkItem } from './conversation.js';
import type { EventDraft } from './events.js';
import type { Account } from './model.js';

/**
 * Who closes an intervention through a desk API, with seed 003's conditions applied: the session
 * must be open, answered, and the caller's (unless they may edit permissions), on a source they read.
 */
export interface CloserGuard {
  userId: string;
  /** May edit permissions: closes other users' interventions too. */
  admin: boolean;
  /** May read the conversation's source (channel). */
  canRead: boolean;
}

/**
 * What switching the account's emergency off does to the conversations it handed to the humans:
 * - `tell_bots`: each goes back to its bot, which is told (`handback`, reason `emergency_ended`);
 *   one an agent took goes back too. The default, as before there was a choice.
 * - `quietly`: each still waiting for an agent goes back to its bot, recorded for the desk but not
 *   delivered to the bot (the events carry `quiet: true`), so the bot speaks when the customer next
 *   writes; one an agent took stays with that agent, who hands it back when done.
 * - `keep_with_agents`: all stay with the humans, queued or with their agent, as after any handover.
 */
export const HAND_BACK = Object.freeze(['tell_bots', 'quietly', 'keep_with_agents'] as const);
export type HandBack = (typeof HAND_BACK)[number];

/** What the visitor's page says when the widget opens (the web chat); each part null when it does not say. */
export interface WidgetOpening {
  /** The page the widget is on. */
  referer: string | null;
  /** The widget's language (its `locale`), and the browser's first preferred language. */
  widgetLanguage: string | null;
  browserLanguage: string | null;
  /** The browser as its user agent names it. */
  browser: { name: string; version: string; platform: string; platformVersion: string; device: string } | null;
}

/** The commands the control state machine takes (see control.ts) and what it needs to take them. */
export type ControlCommand =
  /** `title`: what a new thread is about, taken when the message starts one (Engage thread_title). */
  | { type: 'customer_message'; messageId: string; title?: string | null }
  | { type: 'reply'; componentId: string; authorKind: 'bot' | 'agent' | 'system'; agentId?: string; messageId: string; expectedVersion?: number; echo?: boolean; inReplyTo?: { messageId: string; authorId: string | null }; botSessionId?: string }
  | { type: 'handover'; by?: string; note?: string; context?: Record<string, unknown>; team?: string; desk?: string; expectedVersion?: number; reason?: string; botSessionId?: string }
  | { type: 'takeover'; by?: string; agentId?: string; expectedVersion?: number }
  | { type: 'handback'; by?: string; position?: { flow: string; step: string }; expectedVersion?: number; reason?: string }
  | { type: 'position'; flow: string; step: string; by?: string }
  /** `metadata`: what the caller says with it, carried on its events (Sunshine Conversations releaseControl). */
  | { type: 'reset'; by?: string; expectedVersion?: number; metadata?: Record<string, unknown> }
  /** Control to component `to` (the bot or a desk) at once; a no-op when it holds it already (control-offers.ts). */
  | { type: 'pass_control'; by?: string; to: string; metadata?: Record<string, unknown> }
  /** Offers control to `to`; it moves only when `to` accepts, or at `deadline` to `fallbackTo` (null: it stays). */
  | { type: 'offer_control'; by?: string; to: string; deadline?: string; fallbackTo?: string | null; metadata?: Record<string, unknown> }
  /** The offered component takes control; anyone else is refused (`forbidden`). */
  | { type: 'accept_control'; by: string; metadata?: Record<string, unknown> }
  | { type: 'offer_expired'; offerId: string }
  | { type: 'mutate'; by?: string; mutations: { componentId: string; enabled: boolean }[]; context?: Record<string, unknown>; expectedVersion?: number }
  /** `botSessionId`: the session the bot speaks for (IMI Conversationid); refused once it closed. */
  | { type: 'close_bot_session'; by?: string; botSessionId?: string }
  /** `agentSessionId` names the session meant (an earlier one is closed); `guard` applies seed 003's close conditions. */
  | { type: 'close_agent_session'; agentId?: string; agentSessionId?: string; guard?: CloserGuard }
  | { type: 'close'; by?: string; expectedVersion?: number }
  | { type: 'assign'; agentId: string; reassign?: boolean }
  | { type: 'transfer'; team: string | null }
  | { type: 'defer'; agentId?: string }
  | { type: 'update_context'; context: Record<string, unknown> }
  | { type: 'set_categories'; by?: string; categories: string[]; desk?: string; team?: string; expectedVersion?: number }
  | { type: 'open_work_item'; owner: WorkItem['owner']; messageId: string }
  | { type: 'close_work_item'; workItemId: string; by?: string; guard?: CloserGuard }
  | { type: 'emergency_on' }
  /** `handBack`: what becomes of a conversation the switch handed to the humans (HAND_BACK); `tell_bots` when absent. */
  | { type: 'emergency_off'; handBack?: HandBack }
  | { type: 'handover_wait_expired'; agentSessionId: string }
  | { type: 'bot_failover'; botId: string; reason: string }
  /** An agent's private note in the thread: for the desk only, never the customer or the bot (core/fanout.ts). */
  | { type: 'add_note'; agentId: string; text: string }
  | { type: 'message_status'; messageId: string; componentId: string; status: 'delivered' | 'failed' | 'read'; description?: string }
  /** The visitor opened the web widget again: recorded for those who asked (`widget.opened`), nothing else changes. */
  | { type: 'widget_opened'; opening: WidgetOpening };

export type CommandType = ControlCommand['type'];

/**
 * What a caller asks for when the command it means depends on the state it cannot see under the
 * conversation's lock: the core resolves it there (control.ts resolveRequest). A desk's "take" is
 * a takeover while the bot holds the conversation and an assignment once the humans do.
 */
export type ControlRequest = ControlCommand | { type: 'take'; agentId: string; by: string; expectedVersion?: number };

/**
 * The facts a transition needs read first (the router reads them in the command's transaction):
 * the account, the clock, ids, whether an agent could take a handover, the channel's switches.
 */
export interface ControlFacts {
  account: Account;
  now: string;
  newId: () => string;
  /** Whether an agent who could take a handover is online (real-time channels only ask). */
  agentsAvailable: boolean;
  realtime: boolean;
  /** The channel starts new threads with the humans (its emergency switch). */
  newThreadToHumans?: boolean;
  /** Nobody would answer a new chat now (no bot in front, no agent online): only a chat already with the humans goes on. */
  nobodyAnswers?: boolean;
}

/** The name the facts had before they were called so; tests and older callers use it. */
export type TransitionEnv = ControlFacts;

/**
 * What a transition asks the router to do besides writing the conversation and its events, in
 * the same transaction: arm a timer, write an audit line.
 */
export type ControlEffect =
  | { kind: 'timer'; timer: 'handover_wait' | 'offer_deadline'; ref: string; dueAt: string }
  | { kind: 'audit'; action: string; details: Record<string, unknown> };

export interface TransitionResult {
  conversation: Conversation;
  /** The control state the conversation is left in (control-state.ts). */
  state: ControlState;
  events: EventDraft[];
  effects: ControlEffect[];
}

export type Handler<C extends ControlCommand> = (conv: Conversation, cmd: C, env: ControlFacts, out: EventDraft[]) => void;
export type HandlerTable = { [K in CommandType]: Handler<Extract<ControlCommand, { type: K }>> };
export type PartialTable<K extends CommandType> = { [P in K]: Handler<Extract<ControlCommand, { type: P }>> };
