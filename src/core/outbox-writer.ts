import type { CommandBus, OutboxScope } from './command-bus.js';
import type { Conversation } from './conversation.js';
import type { ConversationEvent, EventDraft } from './events.js';
import { recipients, subscribed } from './fanout.js';
import { newId } from './ids.js';
import type { Account, Message } from './model.js';
import type { DeliveryDraft, StoreTx } from './ports.js';

/** Events a person waits for: their deliveries go before control events of other conversations. */
const URGENT = new Set(['message.received', 'message.sent']);

/**
 * The transactional outbox's writer: numbers a change's events, writes them with the
 * conversation, and fans each out to one delivery row per party that must receive it, in the
 * command's transaction (DESIGN.md section 5).
 */
export class OutboxWriter {
  constructor(private readonly bus: CommandBus) {}

  /**
   * Numbers the events, writes them, the conversation and the outbox rows they cause. `account`
   * null writes to every recipient whatever it subscribed to (a refusal its author must hear of).
   */
  async commit(tx: StoreTx, account: Account | null, conv: Conversation, drafts: EventDraft[], now: string, previous?: Conversation): Promise<ConversationEvent[]> {
    const events: ConversationEvent[] = drafts.map((d, i) => ({ ...d, accountId: conv.accountId, conversationId: conv.id, seq: conv.lastSeq + i + 1, at: now }));
    conv.lastSeq += events.length;
    await tx.updateConversation(conv, previous);
    if (events.length === 0) return events;
    await tx.appendEvents(events);
    const scope = this.bus.scope(tx);
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
    if (scope && !scope.lease && deliveries.some((d) => d.urgent)) scope.lease = this.bus.urgentLease();
    const leased = await tx.insertDeliveries(deliveries, scope?.lease ?? null);
    if (scope) {
      scope.leased.push(...leased);
      if (leased.length < deliveries.length) {
        const taken = new Set(leased);
        scope.unleased.push(...deliveries.filter((d) => !taken.has(d)));
      }
    }
    return events;
  }

  /** Keeps a message the command wrote in memory, so its deliveries' snapshots need no read. */
  hold(tx: StoreTx, message: Message): void {
    this.bus.scope(tx)?.messages.set(message.id, message);
  }

  /** The message an event is about, from memory when the command holds it. */
  private async messageOf(tx: StoreTx, scope: OutboxScope | undefined, accountId: string, event: ConversationEvent): Promise<Message | null> {
    const id = event.data.messageId;
    if (typeof id !== 'string') return null;
    return scope?.messages.get(id) ?? (await tx.getMessage(accountId, id)) ?? null;
  }
}
