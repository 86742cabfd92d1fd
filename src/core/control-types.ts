import type { Conversation, WorkItem } from './conversation.js';
import type { EventDraft } from './events.js';
import type { Account } from './model.js';

/** The commands the control state machine takes (see control.ts) and what it needs to take them. */
export type ControlCommand =
  | { type: 'customer_message'; messageId: string }
  | { type: 'reply'; componentId: string; authorKind: 'bot' | 'agent' | 'system'; agentId?: string; messageId: string; expectedVersion?: number; echo?: boolean; inReplyTo?: { messageId: string; authorId: string | null } }
  | { type: 'handover'; by?: string; note?: string; context?: Record<string, unknown>; team?: string; desk?: string; expectedVersion?: number; reason?: string }
  | { type: 'takeover'; by?: string; agentId?: string; expectedVersion?: number }
  | { type: 'handback'; by?: string; position?: { flow: string; step: string }; expectedVersion?: number; reason?: string }
  | { type: 'position'; flow: string; step: string; by?: string }
  | { type: 'reset'; by?: string; expectedVersion?: number }
  | { type: 'mutate'; by?: string; mutations: { componentId: string; enabled: boolean }[]; context?: Record<string, unknown>; expectedVersion?: number }
  | { type: 'close_bot_session'; by?: string }
  | { type: 'close_agent_session'; agentId?: string }
  | { type: 'close'; by?: string; expectedVersion?: number }
  | { type: 'assign'; agentId: string; reassign?: boolean }
  | { type: 'transfer'; team: string | null }
  | { type: 'defer'; agentId?: string }
  | { type: 'update_context'; context: Record<string, unknown> }
  | { type: 'set_categories'; by?: string; categories: string[]; desk?: string; team?: string; expectedVersion?: number }
  | { type: 'open_work_item'; owner: WorkItem['owner']; messageId: string }
  | { type: 'close_work_item'; workItemId: string; by?: string }
  | { type: 'emergency_on' }
  | { type: 'emergency_off' }
  | { type: 'handover_wait_expired'; agentSessionId: string }
  | { type: 'bot_failover'; botId: string; reason: string }
  /** An agent's private note in the thread: for the desk only, never the customer or the bot (core/fanout.ts). */
  | { type: 'add_note'; agentId: string; text: string }
  | { type: 'message_status'; messageId: string; componentId: string; status: 'delivered' | 'failed' | 'read'; description?: string };

export type CommandType = ControlCommand['type'];

export interface TransitionEnv {
  account: Account;
  now: string;
  newId: () => string;
  /** Whether an agent who could take a handover is online (real-time channels only ask). */
  agentsAvailable: boolean;
  realtime: boolean;
  /** The channel starts new threads with the humans (its emergency switch). */
  newThreadToHumans?: boolean;
}

export interface TransitionResult {
  conversation: Conversation;
  events: EventDraft[];
}
