import { auditEntry } from './audit.js';
import type { Clock } from './clock.js';
import type { Conversation } from './conversation.js';
import { erasedConversation } from './erasure.js';
import { BatonError } from './errors.js';
import { filePath, type StoredFile } from './files.js';
import type { ConversationEvent } from './events.js';
import type { Message } from './model.js';
import { type Store, WriteConflict } from './ports.js';
import { type ConversationView, view } from './queries.js';

/** A conversation whole, for a subject access request: its state, every message and every event. */
export interface ConversationExport {
  conversation: ConversationView;
  messages: Message[];
  events: ConversationEvent[];
  /** The files sent in it, described; their bytes are fetched at `path` (README "Files"). */
  files: (StoredFile & { path: string })[];
}

export interface CustomerExport {
  customer: string;
  channel: string | null;
  exportedAt: string;
  conversations: ConversationExport[];
}

/** What one erasure changed; a second erasure of the same customer changes nothing and says so. */
export interface Erasure {
  customer: string;
  channel: string | null;
  erasedAt: string;
  conversations: { id: string; messages: number; events: number; deliveries: number; files: number }[];
}

/** Which of a customer's conversations: all of them in the account, or those on one channel. */
export interface CustomerScope {
  customer: string;
  channel?: string;
}

const PAGE = 1000;
/** A conversation's erasure that lost a race with the dispatcher (a deadlock on PostgreSQL) runs again. */
const ATTEMPTS = 3;

/**
 * A customer's data across their conversations: exports for subject access requests and erasure.
 * A customer is the address the channel gives them (a conversation's `customer`).
 *
 * @example await customerData.erase('acme', { customer: '+31612345678' }, 'api-key:1a2b…')
 */
export class CustomerData {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async exportConversation(accountId: string, conversationId: string): Promise<ConversationExport> {
    const [account, conv] = await Promise.all([this.requireAccount(accountId), this.store.getConversation(accountId, conversationId)]);
    if (!conv) throw new BatonError('conversation_not_found', `No conversation ${conversationId} in this account.`);
    const [messages, events, files] = await Promise.all([this.allMessages(accountId, conv.id), this.allEvents(accountId, conv.id), this.store.listConversationFiles(accountId, conv.id)]);
    return { conversation: view(conv, account), messages, events, files: files.map((f) => ({ ...f, path: filePath(f) })) };
  }

  async exportCustomer(accountId: string, scope: CustomerScope): Promise<CustomerExport> {
    const exportedAt = this.clock.now().toISOString();
    const found = await this.conversationsOf(accountId, scope);
    const conversations: ConversationExport[] = [];
    for (const conv of found) conversations.push(await this.exportConversation(accountId, conv.id));
    return { customer: scope.customer, channel: scope.channel ?? null, exportedAt, conversations };
  }

  /**
   * Empties every message, event text, visitor field, context and delivery body of the customer's
   * conversations and deletes their files, keeping their skeleton, one conversation per transaction with its audit line.
   * Erasing again is harmless: what is already erased is left as it is.
   */
  async erase(accountId: string, scope: CustomerScope, actor: string): Promise<Erasure> {
    const erasedAt = this.clock.now().toISOString();
    const found = await this.conversationsOf(accountId, scope);
    const conversations: Erasure['conversations'] = [];
    for (const conv of found) conversations.push({ id: conv.id, ...(await this.eraseOne(accountId, conv.id, scope, erasedAt, actor)) });
    await this.store.scrub();
    return { customer: scope.customer, channel: scope.channel ?? null, erasedAt, conversations };
  }

  private async eraseOne(accountId: string, conversationId: string, scope: CustomerScope, at: string, actor: string): Promise<{ messages: number; events: number; deliveries: number; files: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.transaction(async (tx) => {
          const conv = await tx.lockConversation(accountId, conversationId);
          if (!conv) throw new BatonError('conversation_not_found', `No conversation ${conversationId} in this account.`);
          const erased = erasedConversation(conv);
          if (JSON.stringify(erased) !== JSON.stringify(conv)) await tx.updateConversation(erased, conv);
          const counts = await tx.eraseConversationContent(accountId, conversationId, at);
          await tx.appendAudit(auditEntry(accountId, at, 'customer.erase', conversationId, { customer: scope.customer, channel: scope.channel ?? null, ...counts }, actor));
          return counts;
        });
      } catch (err) {
        if (!(err instanceof WriteConflict) || attempt >= ATTEMPTS) throw err;
      }
    }
  }

  private async conversationsOf(accountId: string, scope: CustomerScope): Promise<Conversation[]> {
    await this.requireAccount(accountId);
    if (scope.channel !== undefined && !(await this.store.getChannel(accountId, scope.channel))) {
      throw new BatonError('channel_not_found', `No channel ${scope.channel} in this account.`);
    }
    const found = await this.store.listCustomerConversations(accountId, scope.customer, scope.channel ?? null);
    if (found.length === 0) {
      throw new BatonError('customer_not_found', `No conversation with customer ${scope.customer}${scope.channel !== undefined ? ` on channel ${scope.channel}` : ''} in this account.`);
    }
    return found;
  }

  private async requireAccount(accountId: string) {
    const account = await this.store.getAccount(accountId);
    if (!account) throw new BatonError('account_not_found', `No account ${accountId}.`);
    return account;
  }

  private async allMessages(accountId: string, conversationId: string): Promise<Message[]> {
    const out: Message[] = [];
    for (;;) {
      const last = out[out.length - 1];
      const page = await this.store.listMessagesAfter(accountId, conversationId, last ? { createdAt: last.createdAt, id: last.id } : null, PAGE);
      out.push(...page);
      if (page.length < PAGE) return out;
    }
  }

  private async allEvents(accountId: string, conversationId: string): Promise<ConversationEvent[]> {
    const out: ConversationEvent[] = [];
    for (;;) {
      const page = await this.store.listEvents(accountId, conversationId, out[out.length - 1]?.seq ?? 0, PAGE);
      out.push(...page);
      if (page.length < PAGE) return out;
    }
  }
}
