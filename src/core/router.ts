import type { Clock } from './clock.js';
import { type ControlCommand, transition } from './control.js';
import { type Conversation, controllerOf } from './conversation.js';
import { BatonError, isBatonError } from './errors.js';
import type { ConversationEvent, EventDraft } from './events.js';
import { recipients, subscribed } from './fanout.js';
import { chatId, newId } from './ids.js';
import type { Account, Channel, Message, MessageContent } from './model.js';
import { SYSTEM, auditEntry } from './audit.js';
import { requireEnabled } from './control-steps.js';
import { GroupCommit } from './group-commit.js';
import { view } from './queries.js';
import type { DeliveryDraft, DeliveryIntake, DeliveryLease, EmergencySweep, Store, StoreTx, Timer } from './ports.js';
import { matchRule } from './rules.js';

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
}

export interface CommandOutcome {
  conversation: Conversation;
  events: ConversationEvent[];
  message?: Message;
  /** True when an idempotent retry found the original result. */
  duplicate?: boolean;
}

/** What one command wrote for the outbox: the lease it took, what the lease got, what others must claim. */
interface OutboxScope {
  lease: DeliveryLease | null;
  leased: DeliveryDraft[];
  unleased: number;
  /** Messages the command holds in memory, so their deliveries' snapshots need no read. */
  messages: Map<string, Message>;
}

/** Takes no lease and hands nothing on: deliveries wait for a claim (no dispatcher in this process). */
const NO_INTAKE: DeliveryIntake = { lease: () => null, accept: () => {}, pending: () => {} };

export interface Idempotency {
  key: string;
  fingerprint: string;
}

/**
 * The core's command side. Every command runs in one store transaction: lock the conversation,
 * run the state machine, append its events with the next sequence numbers, write the outbox rows
 * they cause, commit. Nothing is sent from here; the dispatcher picks the rows up after commit.
 */
export class Router {
  private intake: DeliveryIntake = NO_INTAKE;

  /** Each running command's outbox writes, by its transaction (several commands share one in a group commit). */
  private readonly scopes = new WeakMap<StoreTx, OutboxScope>();

  private readonly commits: GroupCommit;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    opts: { writeConcurrency?: number } = {},
  ) {
    this.commits = new GroupCommit(store, opts.writeConcurrency ?? 1);
  }

  /** Where committed deliveries go: the dispatcher of this process, which sends what it leased at once. */
  setIntake(intake: DeliveryIntake): void {
    this.intake = intake;
  }

  /** A customer message arriving on a channel: opens or continues the chat and routes it. */
  async receive(input: InboundMessage, idem?: Idempotency, actor: string = SYSTEM): Promise<CommandOutcome> {
    return this.run(input.accountId, idem, actor, async (tx, now) => {
      const { account, channel } = await activeChannel(tx, input.accountId, input.channelId);
      const channelMessageId = input.channelMessageId ?? idem?.key;
      const id = chatId(channel.id, input.customer, input.business ?? channel.address);
      const message: Message = {
        accountId: account.id,
        conversationId: id,
        id: newId(),
        author: { kind: 'customer', id: input.customer },
        content: input.content,
        channelMessageId: channelMessageId ?? null,
        status: 'accepted',
        createdAt: now,
      };
      // The unique index decides whether the channel sent this before: one write, no lookup first.
      if (channelMessageId && !(await tx.insertMessageOnce(message, channel.id))) {
        const seen = (await tx.findMessageByChannelMessageId(account.id, channel.id, id, channelMessageId))!;
        // A retry repeats the message; the same id with other content is a different message that
        // must not be answered as a duplicate and dropped.
        if (canonicalJson(seen.content) !== canonicalJson(input.content)) {
          throw new BatonError('message_id_conflict', `Chat ${id} already has a message ${channelMessageId} with different content; send a new message with a new id.`, { messageId: channelMessageId, conversationId: id });
        }
        const conversation = await tx.getConversation(account.id, seen.conversationId);
        return { conversation: view(conversation!, account), events: [], message: seen, duplicate: true };
      }
      if (!channelMessageId) await tx.insertMessage(message, channel.id);
      this.scopes.get(tx)?.messages.set(message.id, message);
      let conv = await tx.lockConversation(account.id, id);
      const opening: EventDraft[] = [];
      if (!conv) {
        const fresh = await this.openConversation(tx, account, channel, id, input, now);
        if (await tx.insertConversation(fresh.conversation)) {
          opening.push(fresh.opened);
        }
        conv = (await tx.lockConversation(account.id, id))!;
      }
      const before = conv;
      if (input.visitor) conv = withVisitor(conv, input.visitor, input.visitorUnverified === true);
      const env = { account, now, newId, agentsAvailable: true, realtime: channel.realtime, newThreadToHumans: channel.emergency === true };
      // Context a channel brings with a message (Omnichannel channel variables) is a context
      // change like any other: bots and desks hear of it before the message, and only of values
      // that changed, so a channel repeating them on every message tells nobody anything twice.
      const changed = changedContext(conv.context, input.context);
      const withContext = changed ? transition(conv, { type: 'update_context', context: changed }, env) : { conversation: conv, events: [] };
      const result = transition(withContext.conversation, { type: 'customer_message', messageId: message.id }, env);
      // A new thread is about what its first message says (Engage thread_title), as a new chat is.
      if (result.conversation.thread && result.conversation.thread.id !== withContext.conversation.thread?.id) result.conversation.title = titleOf(input.content);
      const events = await this.commitChange(tx, account, result.conversation, [...opening, ...withContext.events, ...result.events], now, opening.length > 0 ? undefined : before);
      return { conversation: view(result.conversation, account), events, message };
    });
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
  async open(input: ChatOpening, idem?: Idempotency, actor: string = SYSTEM): Promise<CommandOutcome> {
    return this.run(input.accountId, idem, actor, async (tx, now) => {
      const { account, channel } = await activeChannel(tx, input.accountId, input.channelId);
      const id = chatId(channel.id, input.customer, input.business ?? channel.address);
      let conv = await tx.lockConversation(account.id, id);
      const opening: EventDraft[] = [];
      if (!conv) {
        const fresh = await this.openConversation(tx, account, channel, id, { customer: input.customer, ...(input.business ? { business: input.business } : {}), content: null }, now);
        if (await tx.insertConversation(fresh.conversation)) opening.push({ ...fresh.opened, data: { ...fresh.opened.data, by: input.componentId } });
        conv = (await tx.lockConversation(account.id, id))!;
      }
      // Refused inside the transaction, so a chat the component may not write in is not opened.
      requireEnabled(conv, { account, now, newId, agentsAvailable: true, realtime: channel.realtime }, input.componentId);
      const events = opening.length > 0 ? await this.commitChange(tx, account, conv, opening, now) : [];
      return { conversation: view(conv, account), events };
    });
  }

  /** A bot, agent or system message to the customer; refused unless the author may answer now. */
  async reply(accountId: string, conversationId: string, reply: OutboundReply, idem?: Idempotency, by: string = SYSTEM): Promise<CommandOutcome> {
    try {
      return await this.run(accountId, idem, by, async (tx, now, actor) => {
        const { account, conv, channel } = await this.load(tx, accountId, conversationId);
        if (reply.agentId !== undefined) await requireAgent(tx, accountId, reply.agentId, false);
        const answered = reply.inReplyTo === undefined ? null : await tx.getMessage(accountId, reply.inReplyTo);
        if (reply.inReplyTo !== undefined && answered?.conversationId !== conversationId) {
          throw new BatonError('message_not_found', `No message ${reply.inReplyTo} in conversation ${conversationId} to reply to.`);
        }
        const message: Message = {
          accountId,
          conversationId,
          id: newId(),
          author: { kind: reply.authorKind, id: reply.authorKind === 'agent' ? reply.agentId ?? reply.componentId : reply.componentId },
          content: reply.content,
          channelMessageId: null,
          ...(answered ? { inReplyTo: answered.id } : {}),
          status: 'accepted',
          createdAt: now,
        };
        const cmd: ControlCommand = {
          type: 'reply',
          componentId: reply.componentId,
          authorKind: reply.authorKind,
          messageId: message.id,
          ...optional('agentId', reply.agentId),
          ...optional('expectedVersion', reply.expectedVersion),
          ...(answered ? { inReplyTo: { messageId: answered.id, authorId: answered.author.id } } : {}),
          ...(reply.echoToAuthor ? { echo: true } : {}),
        };
        const result = transition(conv, cmd, { account, now, newId, agentsAvailable: true, realtime: channel.realtime });
        await tx.insertMessage(message, channel.id);
        this.scopes.get(tx)?.messages.set(message.id, message);
        const events = await this.commitChange(tx, account, result.conversation, result.events, now, conv);
        const assigned = events.find((e) => e.type === 'agent_session.assigned');
        if (assigned) {
          await tx.appendAudit({ ...auditEntry(accountId, now, 'assign', conversationId, { by: null, agentId: reply.agentId ?? null, via: 'reply', controlVersion: { from: conv.controlVersion, to: result.conversation.controlVersion }, events: events.map((e) => e.type) }), actor });
        }
        return { conversation: view(result.conversation, account), events, message };
      });
    } catch (err) {
      if (isBatonError(err) && (err.code === 'component_disabled' || err.code === 'stale_control')) {
        await this.recordRefusal(accountId, conversationId, reply, err);
      }
      throw err;
    }
  }

  /** Any control command (handover, takeover, handback, reset, close, ...). */
  /**
   * `opts.consumeTimer` deletes the timer that fired the command in its transaction; `opts.actor`
   * names who acts when it is not the caller (`system` for timers and the dispatcher).
   */
  async command(accountId: string, conversationId: string, cmd: ControlCommand, idem?: Idempotency, opts: { consumeTimer?: string; actor?: string } = {}): Promise<CommandOutcome> {
    const consume = opts.consumeTimer;
    return this.run(accountId, idem, opts.actor ?? SYSTEM, async (tx, now, actor) => {
      const { account, conv, channel } = await this.load(tx, accountId, conversationId);
      await requireReferences(tx, accountId, cmd);
      if (consume) await tx.deleteTimer(consume);
      if (cmd.type === 'handover' || cmd.type === 'set_categories') cmd = await this.withHandoverRule(tx, conv, cmd, now);
      // Recategorising may be a handover (control.ts set_categories), so it asks the same question.
      const agentsAvailable = (cmd.type === 'handover' || cmd.type === 'set_categories') && channel.realtime ? await this.agentsAvailable(tx, account, conv, cmd.team) : true;
      const result = transition(conv, cmd, { account, now, newId, agentsAvailable, realtime: channel.realtime, newThreadToHumans: channel.emergency === true });
      await this.scheduleTimers(tx, account, result.conversation, conv, now);
      const events = await this.commitChange(tx, account, result.conversation, result.events, now, conv);
      if (AUDITED.has(cmd.type) && events.length > 0) {
        await tx.appendAudit({
          ...auditEntry(accountId, now, cmd.type, conversationId, {
            by: 'by' in cmd ? cmd.by ?? null : null,
            agentId: 'agentId' in cmd ? cmd.agentId ?? null : null,
            controlVersion: { from: conv.controlVersion, to: result.conversation.controlVersion },
            events: events.map((e) => e.type),
          }),
          actor,
        });
      }
      return { conversation: view(result.conversation, account), events };
    });
  }

  /**
   * The account-wide emergency switch. The flag takes effect at once for every read (bots are
   * refused from that commit on); the sweep then records the handover in each open conversation,
   * in batches, so desks queue them and bots are told.
   */
  async setEmergency(accountId: string, on: boolean, actor: string = SYSTEM): Promise<{ conversations: number; failed: { id: string; reason: string }[] }> {
    const sweep: EmergencySweep = { accountId, on, afterId: null, startedAt: this.clock.now().toISOString() };
    await this.store.transaction(async (tx) => {
      await requireAccount(tx, accountId);
      await tx.setAccountEmergency(accountId, on);
      // The sweep's progress is durable from the same commit: a crash midway resumes at start.
      await tx.putSweep(sweep);
      await tx.appendAudit(auditEntry(accountId, sweep.startedAt, on ? 'emergency.on' : 'emergency.off', accountId, {}, actor));
    });
    return this.sweep(sweep, actor);
  }

  /** Finishes the emergency sweeps a crash cut short (called at start). */
  async resumeSweeps(): Promise<number> {
    const open = await this.store.listSweeps();
    for (const sweep of open) await this.sweep(sweep, SYSTEM);
    return open.length;
  }

  private async sweep(sweep: EmergencySweep, actor: string): Promise<{ conversations: number; failed: { id: string; reason: string }[] }> {
    let after = sweep.afterId;
    let changed = 0;
    const failed: { id: string; reason: string }[] = [];
    for (;;) {
      const ids = await this.store.listOpenConversationIds(sweep.accountId, after, 200);
      if (ids.length === 0) break;
      for (const id of ids) {
        // One conversation that cannot move (no desk to send it to) must not stop the sweep.
        try {
          const outcome = await this.command(sweep.accountId, id, { type: sweep.on ? 'emergency_on' : 'emergency_off' }, undefined, { actor });
          if (outcome.events.length > 0) changed += 1;
        } catch (err) {
          if (!isBatonError(err)) throw err;
          failed.push({ id, reason: err.message });
        }
      }
      after = ids[ids.length - 1]!;
      const progress = { ...sweep, afterId: after };
      await this.store.transaction((tx) => tx.putSweep(progress));
    }
    await this.store.transaction((tx) => tx.endSweep(sweep.accountId, sweep.startedAt));
    return { conversations: changed, failed };
  }

  /** An agent's presence feeds availability checks before handovers on real-time channels. */
  async setPresence(accountId: string, agentId: string, presence: 'online' | 'away' | 'offline', actor: string = SYSTEM): Promise<void> {
    await this.store.transaction(async (tx) => {
      if (!(await tx.getAgent(accountId, agentId))) throw new BatonError('agent_not_found', `No agent ${agentId} in this account.`);
      await tx.setAgentPresence(accountId, agentId, presence);
      await tx.appendAudit(auditEntry(accountId, this.clock.now().toISOString(), `presence.${presence}`, agentId, {}, actor));
    });
  }

  /** Switches a channel on or off at run time: a switched-off channel refuses customer messages. */
  async setChannelActive(accountId: string, channelId: string, active: boolean, actor: string = SYSTEM): Promise<Channel> {
    return this.store.transaction(async (tx) => {
      await requireAccount(tx, accountId);
      if (!(await tx.setChannelActive(accountId, channelId, active))) throw new BatonError('channel_not_found', `No channel ${channelId} in this account.`);
      await tx.appendAudit(auditEntry(accountId, this.clock.now().toISOString(), active ? 'channel.on' : 'channel.off', channelId, {}, actor));
      return (await tx.getChannel(accountId, channelId))!;
    });
  }

  /**
   * A channel's emergency switch (seed 003, "Deactivate Bot connected sources default
   * categorization"): while on, new threads on it start with the humans and the agent category.
   * Existing threads keep their routing; the account-wide switch (setEmergency) moves those.
   */
  async setChannelEmergency(accountId: string, channelId: string, on: boolean, actor: string = SYSTEM): Promise<Channel> {
    return this.store.transaction(async (tx) => {
      await requireAccount(tx, accountId);
      if (!(await tx.setChannelEmergency(accountId, channelId, on))) throw new BatonError('channel_not_found', `No channel ${channelId} in this account.`);
      await tx.appendAudit(auditEntry(accountId, this.clock.now().toISOString(), on ? 'channel.emergency.on' : 'channel.emergency.off', channelId, {}, actor));
      return (await tx.getChannel(accountId, channelId))!;
    });
  }

  /** Applies every timer that is due by the clock; returns how many fired. */
  async runDueTimers(limit = 100): Promise<number> {
    const now = this.clock.now().toISOString();
    const due = await this.store.dueTimers(now, limit);
    for (const timer of due) {
      const cmd = await this.timerCommand(timer);
      if (!cmd) {
        await this.store.transaction((tx) => tx.deleteTimer(timer.id));
        continue;
      }
      // The timer goes in the command's own transaction: a crash or a database error before the
      // commit leaves it due, and the next tick fires it again.
      await this.command(timer.accountId, timer.conversationId, cmd, undefined, { consumeTimer: timer.id, actor: SYSTEM }).catch(async (err: unknown) => {
        if (!isBatonError(err)) throw err;
        // Refused for good (the conversation is gone): nothing will ever fire it.
        await this.store.transaction((tx) => tx.deleteTimer(timer.id));
      });
    }
    return due.length;
  }

  /** What a due timer does; null when there is nothing left to do (the bot took the message meanwhile). */
  private async timerCommand(timer: Timer): Promise<ControlCommand | null> {
    if (timer.kind === 'handover_wait') return { type: 'handover_wait_expired', agentSessionId: timer.ref };
    const waiting = await this.store.deliveryState(timer.ref);
    if (!waiting || waiting.state === 'delivered') return null;
    return { type: 'bot_failover', botId: waiting.targetId, reason: `the customer's message was not taken in time: ${waiting.lastError ?? 'no answer'}` };
  }

  /**
   * A customer waits on a bot that failed to take their message: unless it takes it by `dueAt`,
   * the account's bot failover decides (a timer, so a restart does not forget it).
   */
  async scheduleBotFailover(accountId: string, conversationId: string, deliveryId: string, dueAt: string): Promise<void> {
    await this.store.transaction((tx) => tx.putTimer({ id: `bot_failover:${deliveryId}`, accountId, conversationId, kind: 'bot_failover', ref: deliveryId, dueAt }));
  }

  private async run(accountId: string, idem: Idempotency | undefined, actor: string, fn: (tx: StoreTx, now: string, actor: string) => Promise<CommandOutcome>): Promise<CommandOutcome> {
    const { outcome, scope } = await this.commits.submit(async (tx) => {
      // A fresh scope per attempt: a batch that failed and runs again alone wrote nothing.
      const scope: OutboxScope = { lease: this.intake.lease(), leased: [], unleased: 0, messages: new Map() };
      this.scopes.set(tx, scope);
      return { outcome: await this.attempt(tx, accountId, idem, (t, now) => fn(t, now, actor)), scope };
    });
    this.handOff(scope);
    return outcome;
  }

  /** After commit: what this process leased is sent at once, the rest is claimed by whoever has room. */
  private handOff(scope: OutboxScope): void {
    if (scope.lease && scope.leased.length > 0) this.intake.accept(scope.leased, scope.lease);
    if (scope.unleased > 0) this.intake.pending(scope.unleased);
  }

  private async attempt(tx: StoreTx, accountId: string, idem: Idempotency | undefined, fn: (tx: StoreTx, now: string) => Promise<CommandOutcome>): Promise<CommandOutcome> {
    const now = this.clock.now().toISOString();
    if (idem) {
      const prior = await tx.getIdempotency(accountId, idem.key);
      if (prior) {
        if (prior.fingerprint !== idem.fingerprint) {
          throw new BatonError('idempotency_conflict', `Idempotency-Key ${idem.key} was first used for a different request; use a new key.`);
        }
        return { ...(prior.result as CommandOutcome), duplicate: true };
      }
    }
    const result = await fn(tx, now);
    if (idem && !result.duplicate) await tx.putIdempotency(accountId, idem.key, { fingerprint: idem.fingerprint, result, createdAt: now });
    return result;
  }

  private async load(tx: StoreTx, accountId: string, conversationId: string): Promise<{ account: Account; conv: Conversation; channel: Channel }> {
    const scope = await tx.lockScope(accountId, conversationId);
    if (!scope) {
      await requireAccount(tx, accountId);
      throw new BatonError('conversation_not_found', `No conversation ${conversationId} in account ${accountId}.`);
    }
    const { account, conversation: conv, channel } = scope;
    if (!channel) throw new BatonError('channel_not_found', `The channel ${conv.channelId} of conversation ${conversationId} no longer exists.`);
    return { account, conv, channel };
  }

  /** A new conversation as the channel's rules give it; `content` is the customer's first message, null when a component writes first. */
  private async openConversation(tx: StoreTx, account: Account, channel: Channel, id: string, input: Pick<InboundMessage, 'customer' | 'business' | 'visitor' | 'visitorUnverified' | 'context'> & { content: MessageContent | null }, now: string): Promise<{ conversation: Conversation; opened: EventDraft }> {
    const services = await tx.listServices(account.id);
    const match = matchRule(services, 'message', {
      channelId: channel.id,
      text: input.content?.text ?? null,
      visitor: input.visitor ?? {},
      ...(input.visitorUnverified && input.visitor ? { unverified: Object.keys(input.visitor) } : {}),
      context: input.context ?? {},
      now: new Date(now),
    });
    const action = match?.rule.action;
    const mode = action?.type ?? 'desk';
    const bot = mode === 'desk' ? null : action?.bot ?? null;
    // A channel in emergency starts its new threads with the humans, categorised as theirs.
    const toHumans = channel.emergency === true && bot !== null;
    const categories = toHumans
      ? [...new Set(channel.defaultCategories.map((c) => (c === account.categories.bot ? account.categories.agent : c)).concat(account.categories.agent))]
      : [...channel.defaultCategories];
    const conversation: Conversation = {
      accountId: account.id,
      id,
      channelId: channel.id,
      customer: input.customer,
      business: input.business ?? channel.address,
      status: 'open',
      serviceId: match?.serviceId ?? null,
      ruleId: match?.rule.id ?? null,
      mode,
      bot,
      desk: mode === 'bot' ? null : action?.desk ?? account.defaultDesk,
      mutations: toHumans ? { [bot]: false } : {},
      emergency: false,
      controlVersion: 1,
      controller: 'none',
      team: action?.team ?? null,
      ruleTeam: action?.team ?? null,
      categories,
      title: input.content ? titleOf(input.content) : null,
      context: {},
      visitor: {},
      position: null,
      botSession: null,
      agentSession: null,
      lastSeq: 0,
      createdAt: now,
      updatedAt: now,
      lastCustomerMessageAt: null,
    };
    conversation.controller = controllerOf(conversation, account);
    const opened: EventDraft = {
      type: 'conversation.opened',
      data: { channelId: channel.id, customer: input.customer, business: conversation.business, serviceId: conversation.serviceId, ruleId: conversation.ruleId, mode, bot: conversation.bot, desk: conversation.desk, controller: conversation.controller, controlVersion: 1 },
    };
    return { conversation, opened };
  }

  /**
   * Rules triggered by the handover event (IMI: "the Handover event is raised when the BOT decides
   * to handover") choose the desk and team from the note and context, unless the caller named them.
   */
  private async withHandoverRule<C extends Extract<ControlCommand, { type: 'handover' | 'set_categories' }>>(tx: StoreTx, conv: Conversation, cmd: C, now: string): Promise<C> {
    const services = await tx.listServices(conv.accountId);
    const note = cmd.type === 'handover' ? cmd.note ?? null : null;
    const context = cmd.type === 'handover' ? cmd.context ?? {} : {};
    const match = matchRule(services, 'handover', { channelId: conv.channelId, text: note, visitor: conv.visitor, ...(conv.unverifiedVisitor ? { unverified: conv.unverifiedVisitor } : {}), context: { ...conv.context, ...context }, now: new Date(now) });
    if (!match) return cmd;
    const { desk, team } = match.rule.action;
    return { ...cmd, ...(cmd.desk === undefined && desk ? { desk } : {}), ...(cmd.team === undefined && team ? { team } : {}) };
  }

  private async agentsAvailable(tx: StoreTx, account: Account, conv: Conversation, team: string | undefined): Promise<boolean> {
    const wanted = team ?? null;
    const category = conv.categories.includes(account.categories.bot) ? account.categories.agent : null;
    return (await tx.countAvailableAgents(account.id, wanted, category)) > 0;
  }

  private async scheduleTimers(tx: StoreTx, account: Account, next: Conversation, prev: Conversation, now: string): Promise<void> {
    const session = next.agentSession;
    const isNewQueue = session && session.status === 'queued' && session.id !== prev.agentSession?.id;
    if (!isNewQueue || account.availability.waitMs <= 0 || account.availability.policy !== 'keep-bot') return;
    await tx.putTimer({ id: newId(), accountId: account.id, conversationId: next.id, kind: 'handover_wait', ref: session.id, dueAt: new Date(Date.parse(now) + account.availability.waitMs).toISOString() });
  }

  /** Numbers the events, writes them, the conversation and the outbox rows they cause. */
  private async commitChange(tx: StoreTx, account: Account | null, conv: Conversation, drafts: EventDraft[], now: string, previous?: Conversation): Promise<ConversationEvent[]> {
    const events: ConversationEvent[] = drafts.map((d, i) => ({ ...d, accountId: conv.accountId, conversationId: conv.id, seq: conv.lastSeq + i + 1, at: now }));
    conv.lastSeq += events.length;
    await tx.updateConversation(conv, previous);
    if (events.length === 0) return events;
    await tx.appendEvents(events);
    const scope = this.scopes.get(tx);
    const deliveries: DeliveryDraft[] = [];
    // One frozen copy of the conversation serves every delivery of this change.
    const snapshotOf = structuredClone(conv);
    for (const event of events) {
      const targets = recipients(conv, event).filter((r) => account === null || subscribed(account, r, event.type));
      if (targets.length === 0) continue;
      const message = await this.messageOf(tx, scope, conv.accountId, event);
      for (const r of targets) {
        deliveries.push({ id: newId(), accountId: conv.accountId, conversationId: conv.id, seq: event.seq, eventType: event.type, target: r.target, forReply: r.forReply, urgent: URGENT.has(event.type), createdAt: now, snapshot: { event, conversation: snapshotOf, message } });
      }
    }
    if (deliveries.length === 0) return events;
    // A dispatcher too busy for routine work still takes what a person waits for.
    if (scope && !scope.lease && deliveries.some((d) => d.urgent)) scope.lease = this.intake.lease(true);
    const leased = await tx.insertDeliveries(deliveries, scope?.lease ?? null);
    if (scope) {
      scope.leased.push(...leased);
      scope.unleased += deliveries.length - leased.length;
    }
    return events;
  }

  /** The message an event is about, from memory when the command holds it. */
  private async messageOf(tx: StoreTx, scope: OutboxScope | undefined, accountId: string, event: ConversationEvent): Promise<Message | null> {
    const id = event.data.messageId;
    if (typeof id !== 'string') return null;
    return scope?.messages.get(id) ?? (await tx.getMessage(accountId, id)) ?? null;
  }

  private async recordRefusal(accountId: string, conversationId: string, reply: OutboundReply, err: BatonError): Promise<void> {
    const scope: OutboxScope = { lease: null, leased: [], unleased: 0, messages: new Map() };
    await this.store.transaction(async (tx) => {
      this.scopes.set(tx, scope);
      const conv = await tx.lockConversation(accountId, conversationId);
      if (!conv) return;
      const now = this.clock.now().toISOString();
      const draft: EventDraft = { type: 'reply.refused', data: { componentId: reply.componentId, authorKind: reply.authorKind, reason: err.code, message: err.message, expectedVersion: reply.expectedVersion ?? null, controlVersion: conv.controlVersion } };
      await this.commitChange(tx, null, conv, [draft], now);
    });
    this.handOff(scope);
  }
}

/** Events a person waits for: their deliveries go before control events of other conversations. */
const URGENT = new Set(['message.received', 'message.sent']);

/** Control commands worth an audit line; messages and context changes are in the event log. */
const AUDITED = new Set<ControlCommand['type']>(['bot_failover', 'handover', 'takeover', 'handback', 'position', 'reset', 'mutate', 'close_bot_session', 'close_agent_session', 'close', 'assign', 'transfer', 'defer', 'set_categories', 'handover_wait_expired']);

/**
 * A command that names a desk, a component to switch or an agent to assign must name one that
 * exists in the account; otherwise it would route the conversation to nobody.
 */
async function requireReferences(tx: StoreTx, accountId: string, cmd: ControlCommand): Promise<void> {
  const components = new Set<string>();
  if (cmd.type === 'handover' && cmd.desk) components.add(cmd.desk);
  if (cmd.type === 'takeover' && cmd.by) components.add(cmd.by);
  if (cmd.type === 'mutate') for (const m of cmd.mutations) components.add(m.componentId);
  for (const id of components) {
    if (!(await tx.getComponent(accountId, id))) throw new BatonError('component_not_found', `No component ${id} in this account.`);
  }
  if (cmd.type === 'assign') await requireAgent(tx, accountId, cmd.agentId, true);
  const named = cmd.type === 'takeover' || cmd.type === 'close_agent_session' || cmd.type === 'defer' ? cmd.agentId : undefined;
  if (named !== undefined) await requireAgent(tx, accountId, named, false);
}

/**
 * An agent a call names must be one of the account's. An account that declares no agents has its
 * desk's own (an external desk's agent ids are recorded as it sends them), except for `assign`,
 * which gives the conversation to one of the account's agents.
 */
async function requireAgent(tx: StoreTx, accountId: string, agentId: string, always: boolean): Promise<void> {
  if (await tx.getAgent(accountId, agentId)) return;
  if (!always && (await tx.listAgents(accountId)).length === 0) return;
  throw new BatonError('agent_not_found', `No agent ${agentId} in this account; name one of the account's agents.`, { agentId });
}

/** The account and channel a chat is on; a channel switched off takes no new messages. */
async function activeChannel(tx: StoreTx, accountId: string, channelId: string): Promise<{ account: Account; channel: Channel }> {
  const found = await tx.getAccountChannel(accountId, channelId);
  if (!found) {
    await requireAccount(tx, accountId);
    throw new BatonError('channel_not_found', `No channel ${channelId} in account ${accountId}.`);
  }
  if (!found.channel.active) throw new BatonError('channel_inactive', `Channel ${found.channel.id} is switched off; switch it on to accept messages.`);
  return found;
}

async function requireAccount(tx: StoreTx, accountId: string): Promise<Account> {
  const account = await tx.getAccount(accountId);
  if (!account) throw new BatonError('account_not_found', `No account ${accountId}.`);
  return account;
}

/** The entries of `incoming` whose value differs from the current context; null when none does. */
function changedContext(current: Record<string, unknown>, incoming: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!incoming) return null;
  const changed = Object.fromEntries(Object.entries(incoming).filter(([k, v]) => JSON.stringify(current[k]) !== JSON.stringify(v)));
  return Object.keys(changed).length > 0 ? changed : null;
}

/** What a chat or thread is about: its first customer message, shortened. */
function titleOf(content: MessageContent): string | null {
  return content.text ? content.text.slice(0, 100) : null;
}

/** The visitor fields a message brings; those the visitor supplied themself are marked unverified, those a channel's server vouches for no longer are. */
function withVisitor(conv: Conversation, fields: Record<string, string>, unverified: boolean): Conversation {
  const marked = new Set(conv.unverifiedVisitor ?? []);
  for (const k of Object.keys(fields)) {
    if (unverified) marked.add(k);
    else marked.delete(k);
  }
  const next: Conversation = { ...conv, visitor: { ...conv.visitor, ...fields } };
  if (marked.size > 0) next.unverifiedVisitor = [...marked].sort();
  else delete next.unverifiedVisitor;
  return next;
}

/** JSON with keys in order, so two equal contents compare equal however they were built. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
