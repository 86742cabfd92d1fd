import { SYSTEM } from './audit.js';
import type { Clock } from './clock.js';
import { CommandBus, type CommandOptions, type CommandOutcome, type Idempotency } from './command-bus.js';
import { AdminCommands } from './admin-commands.js';
import { ControlTimers } from './control-timers.js';
import type { ControlRequest, HandBack, WidgetOpening } from './control-types.js';
import { ConversationCommands } from './conversation-commands.js';
import { isBatonError } from './errors.js';
import { EmergencySweeper, type SweepResult } from './emergency-sweep.js';
import type { Channel, MessageContent } from './model.js';
import { OutboxWriter } from './outbox-writer.js';
import type { DeliveryIntake, Store } from './ports.js';

export type { CommandOutcome, Idempotency } from './command-bus.js';

export interface InboundMessage {
  accountId: string;
  channelId: string;
  /** The customer's address on the channel. */
  customer: string;
  /** The business side; the channel's own address when omitted. */
  business?: string;
  channelMessageId?: string;
  content: MessageContent;
  visitor?: Record<string, string>;
  /** The visitor fields come from the visitor themself (a web chat page), not from the channel's server. */
  visitorUnverified?: boolean;
  context?: Record<string, unknown>;
  /** Nobody would answer a new chat now (web chat status): refused (`chat_unavailable`) unless the chat is with the humans. */
  nobodyAnswers?: boolean;
  /** Left for the humans while nobody is online (the web chat's offline form): accepted, and queued for them. */
  forHumans?: boolean;
}

/** A chat a component starts before the customer has written (see Router.open). */
export interface ChatOpening {
  accountId: string;
  channelId: string;
  customer: string;
  /** The business side; the channel's own address when omitted. */
  business?: string;
  /** The component that writes first: it must be enabled in the chat the channel's rules give. */
  componentId: string;
}

export interface OutboundReply {
  componentId: string;
  authorKind: 'bot' | 'agent' | 'system';
  agentId?: string;
  content: MessageContent;
  expectedVersion?: number;
  /** The message of the same conversation this one answers. */
  inReplyTo?: string;
  /** Deliver the message back to its author too (protocols that report a bot's own contents). */
  echoToAuthor?: boolean;
  /** The bot session the bot answers in (IMI Conversationid); refused once it closed. */
  botSessionId?: string;
}

/**
 * The core's command side, the one object edges call: conversation commands
 * (conversation-commands.ts) on a command bus with group commit and idempotency
 * (command-bus.ts), writing events and deliveries through the outbox writer (outbox-writer.ts);
 * the emergency switch and its sweep (emergency-sweep.ts), run-time switches
 * (admin-commands.ts) and timers (control-timers.ts). Nothing is sent from here; the dispatcher
 * picks the rows up after commit.
 */
export class Router {
  private readonly bus: CommandBus;
  private readonly conversations: ConversationCommands;
  private readonly admin: AdminCommands;
  private readonly emergency: EmergencySweeper;
  private readonly timers: ControlTimers;

  constructor(store: Store, clock: Clock, opts: { writeConcurrency?: number } = {}) {
    this.bus = new CommandBus(store, clock, opts.writeConcurrency ?? 1);
    this.conversations = new ConversationCommands(this.bus, new OutboxWriter(this.bus));
    const command = this.command.bind(this);
    this.admin = new AdminCommands(store, clock);
    this.emergency = new EmergencySweeper(store, clock, command);
    this.timers = new ControlTimers(store, clock, command);
  }

  /** The admission of routine commands under overload, for /metrics. */
  get pacing(): { readonly perSecond: number | null; readonly queued: number } {
    return this.bus.pacer;
  }

  /** Where committed deliveries go: the dispatcher of this process, which sends what it leased at once. */
  setIntake(intake: DeliveryIntake): void {
    this.bus.setIntake(intake);
  }

  /** A customer message arriving on a channel: opens or continues the chat and routes it. */
  receive(input: InboundMessage, idem?: Idempotency, actor: string = SYSTEM): Promise<CommandOutcome> {
    return this.conversations.receive(input, idem, actor);
  }

  /**
   * Opens a chat for a component that writes first, before the customer has (CM Business
   * Messaging lets a bot message a customer). The chat opens as the customer's first message
   * would open it, only without the message: the channel must be on, the rules decide who takes
   * part as for a message without text (business hours count), the emergency switches hold, and
   * the component must be enabled in the result, else nothing is opened (`component_disabled`).
   * A chat that exists is answered as it is, under the same condition. The component then sends
   * with `reply`.
   *
   * @example router.open({ accountId: 'acme', channelId: 'whatsapp', customer: '+3161…', componentId: 'CmBot' }, undefined, req.actor)
   */
  open(input: ChatOpening, idem?: Idempotency, actor: string = SYSTEM): Promise<CommandOutcome> {
    return this.conversations.open(input, idem, actor);
  }

  /** A bot, agent or system message to the customer; refused unless the author may answer now. */
  reply(accountId: string, conversationId: string, reply: OutboundReply, idem?: Idempotency, by: string = SYSTEM): Promise<CommandOutcome> {
    return this.conversations.reply(accountId, conversationId, reply, idem, by);
  }

  /**
   * Any control command (handover, takeover, handback, reset, close, ...) or request (a desk's
   * take). `opts.consumeTimer` deletes the timer that fired the command in its transaction;
   * `opts.actor` names who acts when it is not the caller (`system` for timers and the dispatcher).
   */
  command(accountId: string, conversationId: string, cmd: ControlRequest, idem?: Idempotency, opts: CommandOptions = {}): Promise<CommandOutcome> {
    return this.conversations.command(accountId, conversationId, cmd, idem, opts);
  }

  /**
   * A visitor opened the web widget (Chatwoot's webwidget_triggered): recorded as `widget.opened`
   * in the chat they already have on the channel. Baton opens a conversation only at a first
   * message, so a first-time visitor's open records nothing: null.
   */
  async widgetOpened(accountId: string, conversationId: string, opening: WidgetOpening, idem?: Idempotency, actor: string = SYSTEM): Promise<CommandOutcome | null> {
    try {
      return await this.command(accountId, conversationId, { type: 'widget_opened', opening }, idem, { actor });
    } catch (err) {
      if (isBatonError(err) && err.code === 'conversation_not_found') return null;
      throw err;
    }
  }

  /** The account-wide emergency switch, then its sweep through the open conversations; `handBack` applies when switching off. */
  setEmergency(accountId: string, on: boolean, actor: string = SYSTEM, handBack?: HandBack): Promise<SweepResult> {
    return this.emergency.setEmergency(accountId, on, actor, handBack);
  }

  /** Finishes the emergency sweeps a crash cut short (called at start). */
  resumeSweeps(): Promise<number> {
    return this.emergency.resume();
  }

  setPresence(accountId: string, agentId: string, presence: 'online' | 'away' | 'offline', actor: string = SYSTEM): Promise<void> {
    return this.admin.setPresence(accountId, agentId, presence, actor);
  }

  setChannelActive(accountId: string, channelId: string, active: boolean, actor: string = SYSTEM): Promise<Channel> {
    return this.admin.setChannelActive(accountId, channelId, active, actor);
  }

  setChannelEmergency(accountId: string, channelId: string, on: boolean, actor: string = SYSTEM): Promise<Channel> {
    return this.admin.setChannelEmergency(accountId, channelId, on, actor);
  }

  /** Applies every timer that is due by the clock; returns how many fired. */
  runDueTimers(limit = 100): Promise<number> {
    return this.timers.runDue(limit);
  }

  scheduleBotFailover(accountId: string, conversationId: string, deliveryId: string, dueAt: string): Promise<void> {
    return this.timers.scheduleBotFailover(accountId, conversationId, deliveryId, dueAt);
  }
}
