import type { Account, RuleAction } from './model.js';

export type AgentSessionStatus = 'queued' | 'assigned' | 'deferred' | 'reopened' | 'closed';

/** A stretch of human handling (Engage "intervention", IMI CCSP conversation): new id per handover. */
export interface AgentSession {
  id: string;
  status: AgentSessionStatus;
  desk: string | null;
  team: string | null;
  agentId: string | null;
  note: string | null;
  context: Record<string, unknown>;
  reason: string;
  hadAgentReply: boolean;
  openedAt: string;
  closedAt: string | null;
  /** Why it closed; only a session an agent closed is reopened by the customer's next message. */
  closeReason: string | null;
  /** When an agent last parked it without completing it (defer). */
  deferredAt?: string | null;
  /** Agent replies sent in it (statistics; Engage `user_replies_count`). */
  replies?: number;
}

/**
 * A stretch of work a participant declares on one customer message, for statistics (Engage: an
 * intervention the bot opens through the API). It moves no control. Its owner is who opened it;
 * it closes only once its owner has replied in it. A conversation holds one at a time: the
 * current one, open or closed; earlier ones are all closed.
 *
 * @example { id: '…', owner: { kind: 'component', id: 'engagebot' }, messageId: '…', replies: 1, ... }
 */
export interface WorkItem {
  id: string;
  owner: { kind: 'component' | 'agent'; id: string };
  messageId: string;
  openedAt: string;
  closedAt: string | null;
  replies: number;
  firstReplyId: string | null;
  firstReplyAt: string | null;
  lastReplyAt: string | null;
  /** Sum of the owner's reply times (each since the customer's latest message), for averages. */
  replyTimeTotalMs: number;
  lastReplyTimeMs: number | null;
}

/** The bot's view of the chat (IMI Conversationid): stable until the bot closes it. */
export interface BotSession {
  id: string;
  componentId: string;
  openedAt: string;
}

/**
 * One stretch of a conversation's life (DESIGN.md section 4; Engage "thread"). A new one starts
 * when the conversation starts over: after it was closed, or when the customer writes after the
 * thread inclusion delay.
 */
export interface Thread {
  id: string;
  /** 1 for the conversation's first thread. */
  number: number;
  startedAt: string;
}

/**
 * Control offered to a component that has not taken it yet (Sunshine Conversations'
 * `pendingSwitchboardIntegration`). Nothing moves until it accepts; any move of control voids it.
 * With a deadline, a timer fires at it: control then passes to `fallbackTo`, or stays where it
 * is when that is null.
 */
export interface ControlOffer {
  id: string;
  to: string;
  /** Who offered it (a component), when one did. */
  by: string | null;
  offeredAt: string;
  deadline: string | null;
  fallbackTo: string | null;
  metadata: Record<string, unknown> | null;
}

export type Controller = 'bot' | 'desk' | 'none';

/**
 * One chat between a customer and the business on one channel, with everything routing needs.
 * `mutations` are the overrides of the rule's defaults (CM enable/disableComponent); `reset`
 * clears them. `controlVersion` increases at every change of who may answer.
 */
export interface Conversation {
  accountId: string;
  id: string;
  channelId: string;
  customer: string;
  business: string;
  status: 'open' | 'closed';
  serviceId: string | null;
  ruleId: string | null;
  mode: RuleAction;
  bot: string | null;
  desk: string | null;
  mutations: Record<string, boolean>;
  /** Handed to the desk by the account's emergency switch; restored when it goes off. */
  emergency: boolean;
  controlVersion: number;
  controller: Controller;
  team: string | null;
  /** The team the matching rule named; handovers without a better match and resets fall back to it. */
  ruleTeam: string | null;
  categories: string[];
  context: Record<string, unknown>;
  visitor: Record<string, string>;
  position: { flow: string; step: string } | null;
  botSession: BotSession | null;
  agentSession: AgentSession | null;
  /** The current work item (see WorkItem); absent in conversations that never had one. */
  workItem?: WorkItem | null;
  /** The current thread once the conversation has started over; absent during its first (see currentThread). */
  thread?: Thread;
  /** What the chat is about: its first customer message, shortened (Engage `thread_title`). */
  title?: string | null;
  lastSeq: number;
  createdAt: string;
  updatedAt: string;
  lastCustomerMessageAt: string | null;
  /** Visitor fields the visitor's own browser supplied (web chat): shown as unverified, trusted by no rule that does not say so. */
  unverifiedVisitor?: string[];
  /** Control offered and not yet accepted; absent or null when there is none. */
  offer?: ControlOffer | null;
  /** Set when the bot could not be reached and the account's policy only told everyone; cleared by its next answer. */
  botUnavailableSince?: string;
}

export function modeIncludesBot(mode: RuleAction): boolean {
  return mode === 'bot' || mode === 'bot+desk';
}

export function isBotEnabled(conv: Conversation, account: Pick<Account, 'emergency'>): boolean {
  if (!conv.bot) return false;
  if (account.emergency || conv.emergency) return false;
  return conv.mutations[conv.bot] ?? modeIncludesBot(conv.mode);
}

/** The desk answers when told to, or when no bot does (CM: Customer Contact lies dormant until then). */
export function isDeskEnabled(conv: Conversation, account: Pick<Account, 'emergency'>): boolean {
  if (!conv.desk) return false;
  const explicit = conv.mutations[conv.desk];
  if (explicit !== undefined) return explicit;
  return conv.mode === 'desk' || !isBotEnabled(conv, account);
}

/** Whether `componentId` may send a reply in this conversation now. */
export function isEnabled(conv: Conversation, account: Pick<Account, 'emergency'>, componentId: string): boolean {
  if (componentId === conv.bot) return isBotEnabled(conv, account);
  if (componentId === conv.desk) return isDeskEnabled(conv, account);
  return conv.mutations[componentId] === true;
}

export function controllerOf(conv: Conversation, account: Pick<Account, 'emergency'>): Controller {
  if (isBotEnabled(conv, account)) return 'bot';
  if (isDeskEnabled(conv, account)) return 'desk';
  return 'none';
}

/** The thread the conversation is in now; the first one's id is the conversation's. */
export function currentThread(conv: Conversation): Thread {
  return conv.thread ?? { id: conv.id, number: 1, startedAt: conv.createdAt };
}

export function isAgentSessionOpen(session: AgentSession | null): session is AgentSession {
  return session !== null && session.status !== 'closed';
}

/** Every component that takes part in the conversation, controlling or observing. */
export function participants(conv: Conversation): string[] {
  const ids = new Set<string>();
  if (conv.bot) ids.add(conv.bot);
  if (conv.desk) ids.add(conv.desk);
  for (const [id, on] of Object.entries(conv.mutations)) if (on) ids.add(id);
  return [...ids];
}
