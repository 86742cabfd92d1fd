import { botInFront, type ChatAvailability } from './chat-availability.js';
import type { AuditEntry } from './audit.js';
import { type Conversation, isEnabled, participants } from './conversation.js';
import { BatonError } from './errors.js';
import type { ConversationEvent } from './events.js';
import type { Account, Agent, Channel, Component, Message } from './model.js';
import type { ConversationFilter, InboundToken, StoreReads } from './ports.js';
import { RecentLookups } from './recent-lookups.js';
import { effectiveWidgetLook, type WidgetLook } from './widget-look.js';
import { deskReport, queueStanding } from './desk-figure-queries.js';
import type { DeskReport, QueueStanding, ReportPeriod } from './desk-figures.js';

const CREDENTIALS_TTL_MS = 1000;

/** A conversation as callers see it: its state plus who may answer now. */
export interface ConversationView extends Conversation {
  enabled: Record<string, boolean>;
}

/**
 * The core's read side. Dialects and pages read through this, never the store, and every read
 * is scoped to one account: an id from another account is simply not found.
 */
export class Queries {
  /**
   * API keys and webhook tokens, by digest. A configuration applied by this process clears them
   * (`forgetCredentials`); one applied by another process is seen within a second.
   */
  private readonly keys = new RecentLookups<string>(CREDENTIALS_TTL_MS);
  private readonly tokens = new RecentLookups<InboundToken>(CREDENTIALS_TTL_MS);
  /** Channels found switched on lately, for checks a command makes again (`activeChannelAhead`). */
  private readonly activeChannels = new RecentLookups<Channel>(CREDENTIALS_TTL_MS);

  constructor(private readonly store: StoreReads) {}

  forgetCredentials(): void {
    this.keys.clear();
    this.tokens.clear();
    this.activeChannels.clear();
  }

  async account(accountId: string): Promise<Account> {
    const account = await this.store.getAccount(accountId);
    if (!account) throw new BatonError('account_not_found', `No account ${accountId}.`);
    return account;
  }

  async conversation(accountId: string, id: string): Promise<ConversationView> {
    const conv = await this.findConversation(accountId, id);
    if (!conv) throw new BatonError('conversation_not_found', `No conversation ${id} in this account.`);
    return conv;
  }

  /**
   * The `find*` reads answer null for what is not there and fail for a store that cannot answer,
   * so a caller for whom absence is ordinary never mistakes an outage for it.
   */
  async findConversation(accountId: string, id: string): Promise<ConversationView | null> {
    const [account, conv] = await Promise.all([this.store.getAccount(accountId), this.store.getConversation(accountId, id)]);
    return account && conv ? view(conv, account) : null;
  }

  async conversations(accountId: string, filter: ConversationFilter): Promise<{ items: ConversationView[]; next: string | null }> {
    const account = await this.account(accountId);
    const page = await this.store.listConversations(accountId, filter);
    return { items: page.items.map((c) => view(c, account)), next: page.next };
  }

  async events(accountId: string, conversationId: string, afterSeq: number, limit: number): Promise<{ items: ConversationEvent[]; next: number | null }> {
    await this.conversation(accountId, conversationId);
    const items = await this.store.listEvents(accountId, conversationId, afterSeq, limit);
    const last = items[items.length - 1];
    return { items, next: items.length === limit && last ? last.seq : null };
  }

  async messages(accountId: string, conversationId: string, limit = 500): Promise<Message[]> {
    await this.conversation(accountId, conversationId);
    return this.store.listMessages(accountId, conversationId, limit);
  }

  async findMessage(accountId: string, id: string): Promise<Message | null> {
    return (await this.store.getMessage(accountId, id)) ?? null;
  }

  /** A message of one chat by the id its channel gave it, or null. */
  async findChannelMessage(accountId: string, channelId: string, conversationId: string, channelMessageId: string): Promise<Message | null> {
    return (await this.store.findMessageByChannelMessageId(accountId, channelId, conversationId, channelMessageId)) ?? null;
  }

  async message(accountId: string, id: string): Promise<Message> {
    const m = await this.findMessage(accountId, id);
    if (!m) throw new BatonError('message_not_found', `No message ${id} in this account.`);
    return m;
  }

  async findChannel(accountId: string, id: string): Promise<Channel | null> {
    return (await this.store.getChannel(accountId, id)) ?? null;
  }

  async channel(accountId: string, id: string): Promise<Channel> {
    const c = await this.findChannel(accountId, id);
    if (!c) throw new BatonError('channel_not_found', `No channel ${id} in this account.`);
    return c;
  }

  channels(accountId: string): Promise<Channel[]> {
    return this.store.listChannels(accountId);
  }

  async findComponent(accountId: string, id: string): Promise<Component | null> {
    return (await this.store.getComponent(accountId, id)) ?? null;
  }

  async component(accountId: string, id: string): Promise<Component> {
    const c = await this.findComponent(accountId, id);
    if (!c) throw new BatonError('component_not_found', `No component ${id} in this account.`);
    return c;
  }

  components(accountId: string): Promise<Component[]> {
    return this.store.listComponents(accountId);
  }

  agents(accountId: string): Promise<Agent[]> {
    return this.store.listAgents(accountId);
  }

  /** The account an API key (by its digest) belongs to, for dialects that accept account keys beside their own credentials. */
  accountIdForApiKey(keyHash: string): Promise<string | undefined> {
    return this.keys.get(keyHash, (k) => this.store.accountIdForKey(k));
  }

  /** Resolves a dialect webhook token to its account and owner; unknown tokens are not found. */
  inboundToken(tokenHash: string): Promise<InboundToken | undefined> {
    return this.tokens.get(tokenHash, (k) => this.store.findInboundToken(k));
  }

  /**
   * The channel, if it is switched on, as it was within the last second: for an early answer
   * before a request's body is read (Omnichannel's "no active channel"), where the command that
   * follows checks the channel again in its transaction. Only switched-on channels are kept, so a
   * channel switched on is seen at once and one switched off is refused by the command.
   */
  activeChannelAhead(accountId: string, id: string): Promise<Channel | undefined> {
    return this.activeChannels.get(`${accountId}\u0000${id}`, async () => {
      const c = await this.store.getChannel(accountId, id);
      return c?.active ? c : undefined;
    });
  }

  /** The conversation a bot session id (IMI Conversationid) belongs to, in this account. */
  async conversationByBotSession(accountId: string, botSessionId: string): Promise<ConversationView> {
    const [account, conv] = await Promise.all([this.account(accountId), this.store.findConversationByBotSession(accountId, botSessionId)]);
    if (!conv) throw new BatonError('conversation_not_found', `No conversation ${botSessionId} in this account.`);
    return view(conv, account);
  }

  /** Who would answer a new chat on the channel at `now`: web chat shows itself by this. */
  async chatAvailability(accountId: string, channelId: string, now: Date): Promise<ChatAvailability> {
    const [account, services] = await Promise.all([this.account(accountId), this.store.listServices(accountId)]);
    const bot = botInFront(services, account, channelId, now);
    const agentsOnline = await this.store.countAvailableAgents(accountId, null, account.categories.agent, channelId);
    return { botInFront: bot, agentsOnline, available: bot || agentsOnline > 0 };
  }

  /** A waiting chat's place in its team's queue and a typical wait; null when it is not queued. */
  queueStanding(conv: Conversation, now: Date): Promise<QueueStanding | null> {
    return queueStanding(this.store, conv, now);
  }

  /** The inbox report of the account for a period ending at `now` (core/desk-figure-queries.ts). */
  async deskReport(accountId: string, period: ReportPeriod, now: Date): Promise<DeskReport> {
    const agents = await this.agents(accountId);
    return deskReport(this.store, accountId, agents, period, now);
  }

  /** The conversation an agent session id (Engage intervention) belongs to, in this account. */
  async conversationByAgentSession(accountId: string, agentSessionId: string): Promise<ConversationView | undefined> {
    const [account, conv] = await Promise.all([this.account(accountId), this.store.findConversationByAgentSession(accountId, agentSessionId)]);
    return conv && view(conv, account);
  }

  /** The conversation an integer id (core/ids.ts conversationNumber; Chatwoot's conversation id) names, in this account. */
  async conversationByNumber(accountId: string, number: number): Promise<ConversationView> {
    const [account, conv] = await Promise.all([this.account(accountId), this.store.findConversationByNumber(accountId, number)]);
    if (!conv) throw new BatonError('conversation_not_found', `No conversation ${number} in this account.`);
    return view(conv, account);
  }

  /** The conversation a work item id belongs to, in this account. */
  async conversationByWorkItem(accountId: string, workItemId: string): Promise<ConversationView | undefined> {
    const [account, conv] = await Promise.all([this.account(accountId), this.store.findConversationByWorkItem(accountId, workItemId)]);
    return conv && view(conv, account);
  }

  /** The account's audit log, newest first; `before` is the `next` of the previous page. */
  async audit(accountId: string, limit: number, before?: string): Promise<{ items: AuditEntry[]; next: string | null }> {
    let cursor: { at: string; id: string } | undefined;
    if (before) {
      const [at, id] = Buffer.from(before, 'base64url').toString('utf8').split('|');
      if (!at || !id) throw new BatonError('bad_request', 'The `before` cursor is not one Baton handed out; pass the `next` value of the previous page.');
      cursor = { at, id };
    }
    const items = await this.store.listAudit(accountId, { limit, ...(cursor ? { before: cursor } : {}) });
    const last = items[items.length - 1];
    return { items, next: items.length === limit && last ? Buffer.from(`${last.at}|${last.id}`).toString('base64url') : null };
  }

  /** What a web chat channel's widget shows: baton.yaml's `widget:` fields, else the admin page's, else the defaults. */
  async widgetLook(channel: Channel): Promise<WidgetLook> {
    return effectiveWidgetLook({ config: channel.widget ?? {}, inbox: await this.store.widgetLook(channel.accountId, channel.id) });
  }

  async agent(accountId: string, id: string): Promise<Agent> {
    const a = await this.store.getAgent(accountId, id);
    if (!a) throw new BatonError('agent_not_found', `No agent ${id} in this account.`);
    return a;
  }
}

export function view(conv: Conversation, account: Account): ConversationView {
  const enabled: Record<string, boolean> = {};
  for (const id of participants(conv)) enabled[id] = isEnabled(conv, account, id);
  return { ...conv, enabled };
}
