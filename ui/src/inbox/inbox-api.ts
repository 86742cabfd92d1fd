import { ApiError, requestJson } from '../shared/http.js';
import { type FileLimits, uploadFile } from '../shared/upload.js';

export type Presence = 'online' | 'away' | 'offline';

export interface Me {
  csrfToken: string;
  agent: { id: string; name: string; presence: Presence; teams: string[]; admin: boolean };
  account: { id: string; name: string; teams: string[]; emergency: boolean };
  bots: { id: string; flows: { id: string; steps: string[] }[] }[];
  /** What the reply box may attach. */
  files?: FileLimits;
}

export interface Card {
  id: string;
  channelId: string;
  customer: string;
  displayName: string;
  status: 'open' | 'closed';
  controller: 'bot' | 'desk' | 'none';
  controlVersion: number;
  team: string | null;
  categories: string[];
  agentSession: { id: string; status: string; agentId: string | null; agentName: string | null; note: string | null; openedAt: string } | null;
  waitingSince: string | null;
  lastCustomerMessageAt: string | null;
  updatedAt: string;
  /** Messages the customer wrote in all (unread ones are counted against what this agent saw). */
  customerMessages: number;
  lastMessage: { from: 'customer' | 'bot' | 'agent' | 'system'; authorId: string | null; at: string; text: string } | null;
  /** Since when the agent of the open session holds it, when known. */
  heldSince: string | null;
}

export interface Content {
  type: 'text' | 'media' | 'postback' | 'custom';
  text?: string;
  media?: { url: string; contentType?: string; name?: string; size?: number };
  postback?: { payload: string; title?: string };
  buttons?: { id?: string; title: string; payload?: string }[];
}

export type TimelineItem =
  | { kind: 'message'; at: string; id: string; from: 'customer' | 'bot' | 'agent' | 'system'; name: string; content: Content }
  | { kind: 'note'; at: string; seq: number; type: string; text: string }
  /** An agent's private note: the agents see it, the customer and the bot never do. */
  | { kind: 'private'; at: string; seq: number; agentId: string; name: string; text: string };

export interface Detail {
  conversation: Card;
  channel: { id: string; kind: string };
  bot: string | null;
  desk: string | null;
  position: { flow: string; step: string } | null;
  enabled: Record<string, boolean>;
  handover: { note: string | null; context: Record<string, unknown>; reason: string; team: string | null; openedAt: string; status: string } | null;
  context: Record<string, unknown>;
  visitor: Record<string, string>;
  /** Visitor fields the visitor's own browser sent (web chat): nobody vouches for them. */
  unverifiedVisitor: string[];
  timeline: TimelineItem[];
  /** The agents' latest message the customer's channel reported read, if any. */
  readMessageId?: string | null;
}

/** A search result: a card, and what in it matched (a visitor field, `customer`, or `message` with the line). */
export interface FoundCard extends Card {
  match: { field: string | null; snippet: string | null };
}

/** What the search box asks: text, and who holds it (`me`, `unassigned`, an agent's id) and its status, each optional. */
export interface SearchParams {
  q: string;
  assignee: string;
  status: '' | 'open' | 'closed';
}

export interface AgentRow { id: string; name: string; presence: Presence; teams: string[] }

export interface Health { state: string; consecutiveFailures: number; lastError: string | null; lastFailureAt: string | null; backlog: number; oldestPendingAgeSeconds: number | null; blockedConversations: number }

/** Switching the emergency off: bots told (Baton's default), handed back untold, or left with the agents. */
export type HandBack = 'tell_bots' | 'quietly' | 'keep_with_agents';

export interface Overview {
  emergency: boolean;
  components: { id: string; kind: string; dialect: string; url: string | null; inboundUrl: string | null; health: Health }[];
  channels: { id: string; kind: string; active: boolean; address: string; outboundUrl: string | null; inboundUrl: string | null; warning?: unknown; reachability?: { warning: string | null; checkedAt: string } | null }[];
}

/** An agent on the admin page: `config` agents are baton.yaml's, `inbox` ones were added here. */
export interface AdminAgent { id: string; name: string; teams: string[]; admin: boolean; presence: 'online' | 'away' | 'offline'; managedBy: 'config' | 'inbox'; passwordFrom: 'config' | 'inbox' | null; passwordResettable: boolean }

export interface WidgetLook { color: string; greeting: string | null; position: 'bottom-right' | 'bottom-left' }
export interface ChannelLook { channelId: string; look: WidgetLook; fromConfig: (keyof WidgetLook)[] }

export interface DeliveryRow { id: string; conversationId: string; seq: number; eventType: string; target: { kind: string; id: string }; state: string; attempts: number; createdAt: string; deliveredAt: string | null; lastError: string | null }

/** `today` is since midnight UTC; `7d` and `30d` are that many days back from now. */
export type ReportPeriod = 'today' | '7d' | '30d';

/** The desk's figures for a period (GET /inbox/api/admin/report); times in milliseconds, null when there is nothing to measure. */
export interface Report {
  period: ReportPeriod;
  since: string;
  until: string;
  handedOver: number;
  taken: number;
  waitMedianMs: number | null;
  waitP90Ms: number | null;
  firstResponseMedianMs: number | null;
  agents: { id: string; name: string; taken: number; closed: number; firstResponseMedianMs: number | null }[];
  sampled: boolean;
}

export type Action = 'reply' | 'note' | 'take' | 'assign' | 'handback' | 'transfer' | 'defer' | 'close';

/** Told about every failed call of a logged-in page, so one place decides what the inbox shows. */
export interface ApiWatcher {
  /** A 401: the session has ended (expired, logged out elsewhere, the agent removed from baton.yaml). */
  unauthorized(): void;
  /** No answer at all: Baton is down or the network is. */
  unreachable(): void;
}

/** The inbox's calls: the session cookie identifies the agent, the CSRF token goes with every change. */
export class InboxApi {
  csrf = '';
  private readonly watchers = new Set<Partial<ApiWatcher>>();

  /** Returns the function that stops watching. */
  watch(watcher: Partial<ApiWatcher>): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** `quiet` calls are those of the login form, where a 401 is an answer, not an ended session. */
  private async call<T>(method: string, path: string, body?: unknown, quiet = false): Promise<T> {
    try {
      return await requestJson<T>(method, `/inbox/api${path}`, body, method === 'GET' ? {} : { 'x-csrf-token': this.csrf });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && !quiet) for (const w of this.watchers) w.unauthorized?.();
      if (err instanceof ApiError && err.status === 0) for (const w of this.watchers) w.unreachable?.();
      throw err;
    }
  }

  session = () => this.call<{ loggedIn: boolean }>('GET', '/session', undefined, true);
  loginOptions = () => this.call<{ account: string | null }>('GET', '/login-options', undefined, true);
  login = async (account: string, agent: string, password: string) => {
    const r = await this.call<{ csrfToken: string }>('POST', '/login', { account, agent, password }, true);
    this.csrf = r.csrfToken;
  };
  logout = () => this.call('POST', '/logout', {}, true);
  me = async () => {
    const me = await this.call<Me>('GET', '/me');
    this.csrf = me.csrfToken;
    return me;
  };
  agents = () => this.call<{ items: AgentRow[] }>('GET', '/agents');
  setPresence = (presence: Presence) => this.call('PUT', '/presence', { presence });
  conversations = (status: 'open' | 'closed') => this.call<{ items: Card[] }>('GET', `/conversations?status=${status}`);
  conversation = (id: string) => this.call<Detail>('GET', `/conversations/${encodeURIComponent(id)}`);
  search = (p: SearchParams, after: string | null) => {
    const qs = new URLSearchParams();
    if (p.q.trim()) qs.set('q', p.q.trim());
    if (p.assignee) qs.set('assignee', p.assignee);
    if (p.status) qs.set('status', p.status);
    if (after) qs.set('after', after);
    return this.call<{ items: FoundCard[]; next: string | null; scanned: number }>('GET', `/search?${qs.toString()}`);
  };
  past = (id: string) => this.call<{ items: (Card & { sameEmail: boolean })[] }>('GET', `/conversations/${encodeURIComponent(id)}/past`);
  /** The agent is writing a reply (at most one call every few seconds; see typing.ts). */
  typing = (id: string) => this.call<null>('POST', `/conversations/${encodeURIComponent(id)}/typing`, {});
  /** Sends a file to the customer as the agent's reply, in one call. */
  upload = async (id: string, file: File, onProgress: (done: number) => void) => {
    try {
      return await uploadFile<{ id: string; url: string; name: string; type: string; size: number; conversation: Card }>(`/inbox/api/conversations/${encodeURIComponent(id)}/files`, file, { 'x-csrf-token': this.csrf }, onProgress);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) for (const w of this.watchers) w.unauthorized?.();
      if (err instanceof ApiError && err.status === 0) for (const w of this.watchers) w.unreachable?.();
      throw err;
    }
  };
  act = (id: string, action: Action, body: object = {}) => this.call<{ conversation: Card }>('POST', `/conversations/${encodeURIComponent(id)}/${action}`, body);
  overview = () => this.call<Overview>('GET', '/admin/overview');
  verify = (componentId: string) => this.call<{ verified: boolean; reason: string | null; released: number }>('POST', `/admin/components/${encodeURIComponent(componentId)}/verify`, {});
  deliveries = (state: string) => this.call<{ items: DeliveryRow[] }>('GET', `/admin/deliveries${state ? `?state=${state}` : ''}`);
  replay = (id: string) => this.call<{ replayed: number }>('POST', `/admin/deliveries/${encodeURIComponent(id)}/replay`, {});
  report = (period: ReportPeriod) => this.call<Report>('GET', `/admin/report?period=${period}`);
  /** `handBack` only when switching off: what becomes of the conversations the switch handed to the agents. */
  emergency = (on: boolean, handBack?: HandBack) => this.call<{ emergency: boolean; conversations: number; handedBack?: number; keptWithAgents?: number }>('POST', '/admin/emergency', { on, ...(handBack ? { handBack } : {}) });
  adminAgents = () => this.call<{ items: AdminAgent[] }>('GET', '/admin/agents');
  addAgent = (body: { id: string; name?: string; teams?: string[]; admin?: boolean; password: string }) => this.call<{ agent: AdminAgent }>('POST', '/admin/agents', body);
  resetPassword = (id: string, password: string) => this.call<{ reset: boolean }>('POST', `/admin/agents/${encodeURIComponent(id)}/password`, { password });
  removeAgent = (id: string) => this.call<{ removed: string }>('DELETE', `/admin/agents/${encodeURIComponent(id)}`);
  widgetLooks = () => this.call<{ items: ChannelLook[] }>('GET', '/admin/widget-looks');
  setWidgetLook = (channelId: string, look: Partial<{ [K in keyof WidgetLook]: WidgetLook[K] | null }>) => this.call<ChannelLook>('PUT', `/admin/channels/${encodeURIComponent(channelId)}/widget-look`, look);
}
