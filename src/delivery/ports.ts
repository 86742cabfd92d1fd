import type { Conversation } from '../core/conversation.js';
import type { ConversationEvent } from '../core/events.js';
import type { Account, Channel, ChannelReachability, Component, Message, RetryPolicy } from '../core/model.js';
import type { DeliveryDraft } from '../core/ports.js';

export type Target = { kind: 'component'; component: Component } | { kind: 'channel'; channel: Channel };

/** Everything a dialect needs to render one delivery in its own wire format. */
export interface DeliveryContext {
  deliveryId: string;
  attempt: number;
  /** Of a delivery rendered as several requests: how many the recipient took on earlier attempts. */
  partsSent: number;
  forReply: boolean;
  account: Account;
  conversation: Conversation;
  event: ConversationEvent;
  message: Message | null;
  target: Target;
  now: Date;
}

export interface OutgoingRequest {
  /** POST unless said otherwise; a GET carries no body. */
  method?: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface EndpointResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A dialect's outbound half. `render` returns null when the event means nothing in this dialect
 * (it is then recorded as delivered without a call), or several requests when its protocol needs
 * them for one message: they are sent in order, each only after the one before was taken, and a
 * retry resumes at the first one that was not (the delivery is done when all were). `accept` lets a dialect refuse a 2xx that
 * lacks what its protocol requires (IMI: the verification token).
 */
export interface Renderer {
  render(ctx: DeliveryContext): OutgoingRequest | OutgoingRequest[] | null;
  /**
   * For recipients served inside Baton (the inbox, web chat visitors): called instead of an HTTP
   * call, so such a target needs no URL. A throw is a failed attempt, retried like any other.
   */
  deliver?(ctx: DeliveryContext): Promise<void>;
  accept?(res: EndpointResponse, ctx: DeliveryContext): { ok: true } | { ok: false; reason: string };
  verification?(target: Target, now: Date): { request: OutgoingRequest; check(res: EndpointResponse): { ok: true } | { ok: false; reason: string } };
  /**
   * For protocols whose endpoints must pass `verification` before anything is sent to them (IMI
   * "Others": "Click Verify and then Save"): what a pass vouches for, as one string (the URL and
   * the token it must return). Null: this target is used without verification. Such a component
   * starts `unverified`, and is verified again when the configuration changes this string.
   */
  verifiedEndpoint?(target: Target): string | null;
  /**
   * For channels whose server Baton checks when they are switched on (Omnichannel: "Can't reach
   * channel"): the request to send. Any answer below 500 means the server is there.
   */
  probe?(target: Target): OutgoingRequest | null;
}

/** Picks the renderer for a recipient; undefined means Baton has no way to reach it yet. */
export type RendererLookup = (target: Target) => Renderer | undefined;

/** One recipient's place in one conversation's deliveries (a row of delivery_cursors). */
export interface Cursor {
  account_id: string;
  target_kind: string;
  target_id: string;
  conversation_id: string;
  head_seq: number | null;
}

export interface AttemptRecord {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export type Outcome =
  | { kind: 'delivered'; attempt: AttemptRecord | null }
  | { kind: 'failed'; attempt: AttemptRecord; policy: RetryPolicy; nextDelayMs: number | null; disable: boolean; breakAfter: number; partsSent?: number };

/** How a finished attempt left the cursor: still ours with more due work, or handed back. */
export interface FinishResult {
  holds: boolean;
  more: boolean;
  /** The failure broke the recipient's circuit (or the channel is gone). */
  broke?: boolean;
}

/**
 * The outbox as the dispatcher and the delivery admin use it; the store implements it
 * (store/outbox-store.ts) on the same transactions and statements as the rest of the store.
 */
export interface OutboxPort {
  /** Keeps recipients and accounts for `ms` (0: read them for every delivery). */
  cacheFor(ms: number): void;
  /** The context of a delivery this process leased at insert, from its snapshot. */
  leasedContext(d: DeliveryDraft, now: Date): Promise<DeliveryContext | null>;
  /** Takes up to `limit` cursors whose head is due, under `claimId` until `leaseUntil`. */
  claim(now: string, leaseUntil: string, claimId: string, limit: number): Promise<Cursor[]>;
  loadContext(c: Cursor, now: Date): Promise<DeliveryContext | null>;
  target(c: Pick<Cursor, 'account_id' | 'target_kind' | 'target_id'>): Promise<Target | null>;
  /** Sets a cursor aside until its recipient can be reached. */
  park(c: Cursor, claimId: string, reason: string): Promise<void>;
  /** Records an attempt's outcome, only while `claimId` still holds the cursor, and moves the cursor on. */
  finish(c: Cursor, claimId: string, deliveryId: string, outcome: Outcome, now: Date, leaseUntil: string, attemptNo: number): Promise<FinishResult>;
  /** Re-points a held cursor at its oldest pending delivery. */
  resync(c: Cursor, claimId: string, leaseUntil: string): Promise<FinishResult>;
  /** Hands back a held cursor, due at `dueAt`. */
  release(c: Cursor, claimId: string, dueAt: string): Promise<void>;
  /** Parked cursors of a recipient become due again; answers how many. */
  unpark(accountId: string, targetKind: string, targetId: string | null, reasons: string[], now: string): Promise<number>;
  setHealth(component: Pick<Component, 'accountId' | 'id'>, health: Component['health']): Promise<void>;
  /** A component's health and backlog; undefined when the account has no such component. */
  componentHealth(accountId: string, componentId: string, now: Date): Promise<ComponentHealth | undefined>;
  listDeliveries(accountId: string, filter: DeliveryFilter): Promise<DeliveryView[]>;
  getDelivery(accountId: string, id: string): Promise<DeliveryRecord | undefined>;
  /**
   * Puts failed deliveries back at the head of their cursors and releases held ones whose
   * recipient can be reached again; a named held one whose recipient is still off is refused.
   */
  replayFailed(accountId: string, filter: ReplayFilter, now: string): Promise<number>;
}

export interface DeliveryFilter { targetKind?: string; targetId?: string; state?: string; conversationId?: string; limit: number }
export interface ReplayFilter { id?: string; componentId?: string; since?: string }

/** A delivery with every attempt made. */
export type DeliveryRecord = DeliveryView & { attemptLog: { attempt: number; at: string; outcome: string; statusCode: number | null; latencyMs: number | null; error: string | null }[] };

export interface DeliveryView {
  id: string;
  conversationId: string;
  seq: number;
  eventType: string;
  target: { kind: string; id: string };
  forReply: boolean;
  state: string;
  attempts: number;
  nextAttemptAt: string;
  createdAt: string;
  deliveredAt: string | null;
  lastError: string | null;
}

export interface ComponentHealth {
  componentId: string;
  state: string;
  consecutiveFailures: number;
  lastError: string | null;
  lastFailureAt: string | null;
  backlog: number;
  oldestPendingAgeSeconds: number | null;
  blockedConversations: number;
}

/** What the edges may ask of the outbox on an operator's behalf (DeliveryAdmin). */
export interface DeliveryControl {
  health(accountId: string, componentId: string): Promise<ComponentHealth>;
  list(accountId: string, f: DeliveryFilter): Promise<DeliveryView[]>;
  get(accountId: string, id: string): Promise<DeliveryRecord>;
  replay(accountId: string, filter: ReplayFilter, actor?: string): Promise<number>;
  verify(accountId: string, componentId: string, actor?: string): Promise<{ verified: boolean; reason: string | null; released: number }>;
}

/** Checks that a channel's server answers (ReachabilityChecker); null when its kind has no probe. */
export interface ChannelCheck {
  check(channel: Channel): Promise<ChannelReachability | null>;
}

/** What `/metrics` reads of the outbox when scraped: the shared truth, whichever process answers. */
export interface OutboxGauges {
  /** Pending deliveries per recipient. */
  backlog(): Promise<{ accountId: string; targetKind: string; targetId: string; pending: number }[]>;
  inactiveComponents(): Promise<number>;
  /** Pending and failed deliveries. */
  deliveriesByState(): Promise<Record<string, number>>;
  /** Statements and commits this process ran. */
  sqlCounters(): { statements: number; commits: number };
}

/** Told when a bot's or agent's message reached the customer's channel, or finally did not. */
export type MessageOutcomeListener = (o: { accountId: string; conversationId: string; messageId: string; componentId: string; status: 'delivered' | 'failed'; description?: string }) => Promise<void>;

/**
 * Told when a bot could not take a customer message it must answer: at once when its circuit broke
 * or its retries ran out, at a deadline otherwise. The core's bot failover decides what happens.
 */
export interface BotFailover {
  unreachable(o: { accountId: string; conversationId: string; botId: string; reason: string }): Promise<void>;
  deadline(o: { accountId: string; conversationId: string; deliveryId: string; dueAt: string }): Promise<void>;
}
