import { SYSTEM } from './audit.js';
import type { CommandBus, CommandOptions, CommandOutcome, Idempotency } from './command-bus.js';
import { requireMayHandle } from './agent-scope.js';
import { activeChannel, load, requireAgent, requireReferences } from './command-reads.js';
import { recordsRefusal, refusalEvent, resolveRequest, transition } from './control.js';
import { writeEffects } from './control-effects.js';
import { availabilityQuery, mayHandOverByName, needsHandoverFacts, withHandoverRule } from './control-facts.js';
import { openConversation, titleOf } from './control-opening.js';
import { requireEnabled } from './control-steps.js';
import type { ControlCommand, ControlFacts, ControlRequest, TransitionResult } from './control-types.js';
import { BatonError, isBatonError } from './errors.js';
import type { EventDraft } from './events.js';
import { chatId, newId } from './ids.js';
import { isAgentSessionOpen, isBotEnabled } from './conversation.js';
import { canonicalJson, changedContext, optional, withVisitor } from './inbound-message.js';
import type { Message } from './model.js';
import type { OutboxWriter } from './outbox-writer.js';
import { view } from './queries.js';
import type { ChatOpening, InboundMessage, OutboundReply } from './router.js';

/**
 * The commands on one conversation. Each runs in one store transaction: lock the conversation,
 * read the facts its command needs, run the state machine, append its events with the next
 * sequence numbers, write the outbox rows and effects they cause, commit. Nothing is sent from here.
 */
export class ConversationCommands {
  constructor(
    private readonly bus: CommandBus,
    private readonly outbox: OutboxWriter,
  ) {}

  async receive(input: InboundMessage, idem?: Idempotency, actor: string = SYSTEM): Promise<CommandOutcome> {
    return this.bus.run(input.accountId, idem, actor, async (tx, now) => {
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
      this.outbox.hold(tx, message);
      let conv = await tx.lockConversation(account.id, id);
      const opening: EventDraft[] = [];
      if (!conv) {
        const fresh = openConversation({ ...input, account, channel, id, services: await tx.listServices(account.id), now });
        if (await tx.insertConversation(fresh.conversation)) opening.push(fresh.opened);
        conv = (await tx.lockConversation(account.id, id))!;
      }
      const before = conv;
      if (input.visitor) conv = withVisitor(conv, input.visitor, input.visitorUnverified === true);
      const facts: ControlFacts = { account, now, newId, agentsAvailable: true, realtime: channel.realtime, newThreadToHumans: channel.emergency === true, ...(input.nobodyAnswers ? { nobodyAnswers: true } : {}) };
      // Context a channel brings with a message (Omnichannel channel variables) is a context
      // change like any other: bots and desks hear of it before the message, and only of values
      // that changed, so a channel repeating them on every message tells nobody anything twice.
      const changed = changedContext(conv.context, input.context);
      const withContext = changed ? transition(conv, { type: 'update_context', context: changed }, facts) : { conversation: conv, events: [] };
      const answered = transition(withContext.conversation, { type: 'customer_message', messageId: message.id, title: titleOf(input.content) }, facts);
      const result = input.forHumans ? leftForHumans(answered, facts) : answered;
      const events = await this.outbox.commit(tx, account, result.conversation, [...opening, ...withContext.events, ...answered.events, ...(result === answered ? [] : result.events)], now, opening.length > 0 ? undefined : before);
      return { conversation: view(result.conversation, account), events, message };
    }, 'urgent', 'receive');
  }

  async open(input: ChatOpening, idem?: Idempotency, actor: string = SYSTEM): Promise<CommandOutcome> {
    return this.bus.run(input.accountId, idem, actor, async (tx, now) => {
      const { account, channel } = await activeChannel(tx, input.accountId, input.channelId);
      const id = chatId(channel.id, input.customer, input.business ?? channel.address);
      let conv = await tx.lockConversation(account.id, id);
      const opening: EventDraft[] = [];
      if (!conv) {
        const fresh = openConversation({ account, channel, id, customer: input.customer, ...(input.business ? { business: input.business } : {}), content: null, services: await tx.listServices(account.id), now, by: input.componentId });
        if (await tx.insertConversation(fresh.conversation)) opening.push(fresh.opened);
        conv = (await tx.lockConversation(account.id, id))!;
      }
      // Refused inside the transaction, so a chat the component may not write in is not opened.
      requireEnabled(conv, { account, now, newId, agentsAvailable: true, realtime: channel.realtime }, input.componentId);
      const events = opening.length > 0 ? await this.outbox.commit(tx, account, conv, opening, now) : [];
      return { conversation: view(conv, account), events };
    }, 'routine', 'open');
  }

  async reply(accountId: string, conversationId: string, reply: OutboundReply, idem?: Idempotency, by: string = SYSTEM): Promise<CommandOutcome> {
    try {
      return await this.bus.run(accountId, idem, by, async (tx, now, actor) => {
        const { account, conv, channel } = await load(tx, accountId, conversationId);
        if (reply.agentId !== undefined) await requireAgent(tx, accountId, reply.agentId, false);
        const agent = reply.authorKind === 'agent' && reply.agentId !== undefined ? await tx.getAgent(accountId, reply.agentId) : undefined;
        if (agent) requireMayHandle(agent, account, conv.channelId);
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
          ...optional('botSessionId', reply.botSessionId),
          ...(answered ? { inReplyTo: { messageId: answered.id, authorId: answered.author.id } } : {}),
          ...(reply.echoToAuthor ? { echo: true } : {}),
        };
        const result = transition(conv, cmd, { account, now, newId, agentsAvailable: true, realtime: channel.realtime });
        await tx.insertMessage(message, channel.id);
        this.outbox.hold(tx, message);
        const events = await this.outbox.commit(tx, account, result.conversation, result.events, now, conv);
        await writeEffects(tx, result.conversation, result.effects, now, actor);
        return { conversation: view(result.conversation, account), events, message };
      }, 'urgent', 'reply');
    } catch (err) {
      if (isBatonError(err) && recordsRefusal(err)) await this.recordRefusal(accountId, conversationId, reply, err);
      throw err;
    }
  }

  async command(accountId: string, conversationId: string, request: ControlRequest, idem?: Idempotency, opts: CommandOptions = {}): Promise<CommandOutcome> {
    const consume = opts.consumeTimer;
    return this.bus.run(accountId, idem, opts.actor ?? SYSTEM, async (tx, now, actor) => {
      const { account, conv, channel } = await load(tx, accountId, conversationId);
      let cmd = resolveRequest(conv, account, request);
      await requireReferences(tx, accountId, cmd);
      const given = cmd.type === 'assign' || cmd.type === 'takeover' ? cmd.agentId : undefined;
      const agent = given === undefined ? undefined : await tx.getAgent(accountId, given);
      if (agent) requireMayHandle(agent, account, conv.channelId);
      if (consume) await tx.deleteTimer(consume);
      let agentsAvailable = true;
      if (needsHandoverFacts(cmd)) {
        cmd = withHandoverRule(await tx.listServices(conv.accountId), conv, cmd, now);
        if (channel.realtime) {
          const wanted = availabilityQuery(conv, account, cmd);
          agentsAvailable = (await tx.countAvailableAgents(account.id, wanted.team, wanted.category, channel.id)) > 0;
        }
      } else if (mayHandOverByName(cmd) && channel.realtime) {
        const wanted = availabilityQuery(conv, account, null);
        agentsAvailable = (await tx.countAvailableAgents(account.id, wanted.team, wanted.category, channel.id)) > 0;
      }
      const result = transition(conv, cmd, { account, now, newId, agentsAvailable, realtime: channel.realtime, newThreadToHumans: channel.emergency === true });
      const events = await this.outbox.commit(tx, account, result.conversation, result.events, now, conv);
      await writeEffects(tx, result.conversation, result.effects, now, actor);
      return { conversation: view(result.conversation, account), events };
    }, opts.priority ?? 'routine', request.type);
  }

  /** A refused answer is recorded (`reply.refused`) in a transaction of its own, after the refused one rolled back. */
  private async recordRefusal(accountId: string, conversationId: string, reply: OutboundReply, err: BatonError): Promise<void> {
    await this.bus.alone(async (tx, now) => {
      const conv = await tx.lockConversation(accountId, conversationId);
      const draft = conv ? refusalEvent(conv, reply, err) : null;
      if (conv && draft) await this.outbox.commit(tx, null, conv, [draft], now);
    });
  }
}

/**
 * A message the customer left for the humans while nobody is online (the web chat's offline
 * form): it waits in their queue for when they are back. A chat the bot holds is handed over; no
 * handover wait is armed, since nobody answering soon is what the customer was told.
 */
function leftForHumans(answered: TransitionResult, facts: ControlFacts): TransitionResult {
  const conv = answered.conversation;
  if (!isBotEnabled(conv, facts.account) || isAgentSessionOpen(conv.agentSession) || !(conv.desk ?? facts.account.defaultDesk)) return answered;
  const handed = transition(conv, { type: 'handover', reason: 'offline_message' }, { ...facts, agentsAvailable: true });
  return { ...handed, effects: [] };
}
