/**
 * The routing model (DESIGN.md section 2). Plain data: the store persists it, the control state
 * machine transforms it, dialects render it. Nothing here knows about HTTP or SQL.
 */
import type { RetentionPolicy } from './retention.js';
import type { WidgetLookFields } from './widget-look.js';

export type ReopenPolicy = 'agent-first' | 'bot-first';
export type AvailabilityPolicy = 'queue' | 'keep-bot';

export interface Team {
  id: string;
  /** Context values that route a handover to this team (CM: the exact same values). */
  values: string[];
}

export interface Account {
  id: string;
  name: string;
  reopenPolicy: ReopenPolicy;
  /** Milliseconds after an agent session closes during which a customer message reopens it. */
  threadInclusionDelayMs: number;
  availability: { policy: AvailabilityPolicy; waitMs: number };
  /** The desk that receives handovers when the rule names none. */
  defaultDesk: string | null;
  teams: Team[];
  /** Categories that mark a conversation as the bot's or the agents' (Engage handover categories). */
  categories: { bot: string; agent: string };
  emergency: boolean;
  /**
   * The event types each component asked for (`events:` in baton.yaml), by component id. A
   * component without an entry receives every event its dialect renders.
   */
  subscriptions?: Record<string, string[]>;
  /**
   * What happens to a conversation whose bot cannot be reached on a customer message (its circuit
   * broke, its retries ran out, or the message is still undelivered after `afterMs`): `handover`
   * to the humans, `notify` (a `bot.unavailable` event) or `wait`. Without a policy: `handover`
   * for conversations whose rule has a desk (`bot+desk`), `notify` otherwise.
   */
  botFailover?: { policy?: BotFailoverPolicy; afterMs: number };
  /** How long closed conversations, deliveries, idempotency keys and the audit log are kept; absent: the defaults. */
  retention?: RetentionPolicy;
  /** The most one uploaded file may weigh (`files.maxSize` in baton.yaml); absent: 10 MB. */
  files?: { maxBytes: number };
}

export type BotFailoverPolicy = 'handover' | 'notify' | 'wait';

/** The name of the dialect that serves the channel (dialects/index.ts lists them: native, webchat, omnichannel, cm). */
export type ChannelKind = string;

export interface Channel {
  accountId: string;
  id: string;
  kind: ChannelKind;
  /** The business side of every chat on this channel, when the channel does not say it per message. */
  address: string;
  /** Where answers to customers go (the channel's own server), if anywhere. */
  outboundUrl: string | null;
  credentials: Record<string, string>;
  /** Real-time channels check agent availability before a handover. */
  realtime: boolean;
  defaultCategories: string[];
  active: boolean;
  /**
   * How answers to customers are sent to the channel's server (`retry:` on the channel): when
   * its retries run out the message's author hears `failed`. Absent: the default channel policy
   * (delivery/retry-policies.ts). A channel has no circuit to break: `breakAfter` is always 0.
   */
  retry?: RetryPolicy;
  /** The last reachability check of the channel's own server, when one was made (run-time state). */
  reachability?: ChannelReachability;
  /**
   * Run-time switch: new threads on this channel start with the humans and the agent category
   * instead of the bot (Engage: a source's default categorisation switched from BOT to AGENT).
   */
  emergency?: boolean;
  /** Web chat only: the parts of the widget's look baton.yaml sets (`widget:`); the admin page sets the rest. */
  widget?: WidgetLookFields;
}

/**
 * Whether the channel's server answered when Baton last looked (Omnichannel: "Can't reach channel"
 * is a warning, the channel stays switched on). Kept across configuration applies.
 */
export interface ChannelReachability {
  /** Null when the server answered. */
  warning: string | null;
  checkedAt: string;
}

export type ComponentKind = 'bot' | 'desk';
export type ComponentHealth = 'active' | 'inactive' | 'unverified';

export interface RetryPolicy {
  /** Delays in ms before each retry; its length is the number of retries. */
  schedule: number[];
  timeoutMs: number;
  /** Consecutive failures after which the component becomes inactive; 0 = never. */
  breakAfter: number;
  jitter: number;
  onExhausted: 'block' | 'skip';
}

export interface Flow {
  id: string;
  steps: string[];
}

export interface Component {
  accountId: string;
  id: string;
  kind: ComponentKind;
  dialect: string;
  url: string | null;
  secrets: Record<string, string>;
  retry: RetryPolicy;
  health: ComponentHealth;
  flows: Flow[];
  /** Dialect-specific settings (IMI kind, CM product token, ...). */
  options: Record<string, unknown>;
}

export type RuleAction = 'bot' | 'desk' | 'bot+desk';

export interface BusinessHours {
  timezone: string;
  /** Lower-case three-letter day names: mon, tue, ... */
  days: string[];
  from: string;
  to: string;
}

export interface RuleConditions {
  /** A regular expression the customer's text must match (case-insensitive). */
  textPattern?: string;
  /** Visitor fields that must equal (or, for /regex/, match) the given values. */
  visitor?: Record<string, string>;
  /** Context values (for handover rules) that must equal the given values. */
  context?: Record<string, string>;
  businessHours?: BusinessHours;
  /** Match only outside the business hours above. */
  outsideHours?: boolean;
  /**
   * Visitor fields this rule takes as given even when the visitor's own browser sent them (web
   * chat): without it such fields never satisfy a `visitor` condition, so `tier: gold` typed into
   * a page cannot route anyone to the VIP desk.
   */
  trustVisitorFields?: string[];
}

export interface Rule {
  id: string;
  trigger: { event: 'message' | 'handover'; channels?: string[]; conditions?: RuleConditions };
  action: { type: RuleAction; bot?: string; desk?: string; team?: string };
}

export interface Service {
  accountId: string;
  id: string;
  channels: string[];
  rules: Rule[];
}

export interface Agent {
  accountId: string;
  id: string;
  name: string;
  teams: string[];
  /** The categories (Engage skills) the agent holds; none listed: all of them (core/agent-scope.ts). */
  categories: string[];
  /** The channels (Engage sources) the agent may read and reply on; absent: all of them. */
  sources?: string[];
  presence: 'online' | 'away' | 'offline';
  /** May use the inbox's admin pages (components, deliveries, the emergency switch). */
  admin?: boolean;
}

export type AuthorKind = 'customer' | 'bot' | 'agent' | 'system';

/** What a message carries. Dialects map their wire kinds onto these. */
export interface MessageContent {
  type: 'text' | 'media' | 'postback' | 'custom';
  text?: string;
  /** A file: `size` is known for the files Baton stores (uploads), for the pages to show. */
  media?: { url: string; contentType?: string; name?: string; size?: number };
  postback?: { payload: string; title?: string };
  buttons?: { id?: string; title: string; payload?: string }[];
  custom?: Record<string, unknown>;
  /**
   * What the channel said of the message besides its content, kept for renderers of the same
   * protocol (CM: the MO's `timeUtc` and `groupings` reach a CM bot as the channel gave them).
   */
  channelData?: Record<string, unknown>;
}

export interface Message {
  accountId: string;
  conversationId: string;
  id: string;
  author: { kind: AuthorKind; id: string | null };
  content: MessageContent;
  channelMessageId: string | null;
  /** The message of the same conversation this one answers, when its author said so. */
  inReplyTo?: string | null;
  status: 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';
  createdAt: string;
  /** When the content was erased at the customer's request; the content then keeps only its type. */
  erasedAt?: string;
}
