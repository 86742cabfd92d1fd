/**
 * Table shapes as Kysely sees them. JSON travels as text and booleans as 0/1 on both engines, so
 * one query layer serves SQLite and PostgreSQL without per-engine branches; timestamps are ISO-8601
 * UTC strings, which sort the same as the instants they name.
 */
export interface AccountsTable { id: string; name: string; emergency: number; settings: string; updated_at: string; removed_at?: string | null }
export interface ApiKeysTable { key_hash: string; account_id: string }
export interface ChannelsTable {
  account_id: string;
  id: string;
  kind: string;
  active: number;
  settings: string;
  configured_active?: number | null;
  reachability_warning?: string | null;
  reachability_checked_at?: string | null;
  emergency?: number;
  removed_at?: string | null;
}
export interface ComponentsTable {
  account_id: string;
  id: string;
  kind: string;
  dialect: string;
  health: string;
  settings: string;
  consecutive_failures?: number;
  last_error?: string | null;
  last_failure_at?: string | null;
  removed_at?: string | null;
}
export interface ServicesTable { account_id: string; id: string; position: number; settings: string }
export interface AgentsTable { account_id: string; id: string; presence: string; teams: string; categories: string; settings: string; password_hash: string | null; removed_at?: string | null; managed_by?: string; password_from?: string | null }
export interface ConversationsTable {
  account_id: string;
  id: string;
  channel_id: string;
  status: string;
  controller: string;
  team: string | null;
  control_version: number;
  last_seq: number;
  bot_session_id: string | null;
  agent_session_id: string | null;
  updated_at: string;
  state: string;
  /** The customer's address (migration 013): erasure and exports find a customer's conversations by it. */
  customer?: string | null;
  /** Its integer id (migration 017, core/ids.ts conversationNumber): integer-id protocols find it by this. */
  number?: number | null;
}
export interface EmergencySweepsTable { account_id: string; on: number; after_id: string | null; started_at: string }
export interface BotSessionsTable { account_id: string; id: string; conversation_id: string; opened_at: string }
export interface AgentSessionsTable {
  account_id: string;
  id: string;
  conversation_id: string;
  opened_at: string;
  /** Where the session stands and its milestones (migration 019, store/agent-session-facts.ts). */
  status?: string | null;
  team?: string | null;
  reason?: string | null;
  agent_id?: string | null;
  taken_at?: string | null;
  taken_by?: string | null;
  first_reply_at?: string | null;
  closed_at?: string | null;
  closed_by?: string | null;
}
export interface EventsTable { account_id: string; conversation_id: string; seq: number; type: string; at: string; data: string }
export interface MessagesTable {
  account_id: string;
  id: string;
  conversation_id: string;
  channel_id: string;
  channel_message_id: string | null;
  author_kind: string;
  author_id: string | null;
  status: string;
  content: string;
  created_at: string;
  in_reply_to?: string | null;
  /** When the content was erased (migration 013). */
  erased_at?: string | null;
}
export interface DeliveriesTable {
  id: string;
  account_id: string;
  conversation_id: string;
  seq: number;
  event_type: string;
  target_kind: string;
  target_id: string;
  for_reply: number;
  state: string;
  attempts: number;
  next_attempt_at: string;
  created_at: string;
  last_error: string | null;
  delivered_at?: string | null;
  /** JSON of the DeliverySnapshot written at commit; null on rows older than migration 009. */
  payload?: string | null;
  /** How many of a multi-request delivery's requests the recipient took (migration 011). */
  parts_sent?: number;
}
export interface DeliveryCursorsTable {
  account_id: string;
  target_kind: string;
  target_id: string;
  conversation_id: string;
  state: string;
  head_seq: number | null;
  due_at: string | null;
  claim_id: string | null;
  parked_reason: string | null;
  tail_seq?: number | null;
  urgent?: number;
}
export interface DeliveryAttemptsTable {
  id: string;
  delivery_id: string;
  account_id: string;
  attempt: number;
  at: string;
  outcome: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}
export interface IdempotencyTable { account_id: string; key: string; fingerprint: string; result: string; created_at: string }
export interface InboundTokensTable { token_hash: string; account_id: string; owner_kind: string; owner_id: string; kind: string }
export interface SessionsTable { id_hash: string; account_id: string; agent_id: string; csrf_token: string; created_at: string; expires_at: string }
export interface WorkItemsTable { account_id: string; id: string; conversation_id: string; opened_at: string }
export interface AuditLogTable { id: string; account_id: string; at: string; actor: string; action: string; subject: string; details: string }
/** The retention job's last run per account (migration 014); `deleted` is JSON of its counts. */
export interface RetentionRunsTable { account_id: string; started_at: string; finished_at: string; deleted: string }
/** Uploaded files (migration 022): the bytes with what was checked of them. */
export interface FilesTable {
  account_id: string;
  id: string;
  conversation_id: string;
  uploader_kind: string;
  uploader_id: string | null;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  bytes: Buffer | Uint8Array;
  created_at: string;
}
export interface TimersTable { id: string; account_id: string; conversation_id: string; kind: string; ref: string; due_at: string }

/** The web chat's look as set on the admin page (migration 020); null: not set there. */
export interface WidgetLooksTable { account_id: string; channel_id: string; color: string | null; greeting: string | null; position: string | null; updated_at: string }

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  channels: ChannelsTable;
  components: ComponentsTable;
  services: ServicesTable;
  agents: AgentsTable;
  conversations: ConversationsTable;
  bot_sessions: BotSessionsTable;
  agent_sessions: AgentSessionsTable;
  events: EventsTable;
  messages: MessagesTable;
  deliveries: DeliveriesTable;
  delivery_cursors: DeliveryCursorsTable;
  delivery_attempts: DeliveryAttemptsTable;
  idempotency_keys: IdempotencyTable;
  timers: TimersTable;
  audit_log: AuditLogTable;
  inbound_tokens: InboundTokensTable;
  work_items: WorkItemsTable;
  sessions: SessionsTable;
  emergency_sweeps: EmergencySweepsTable;
  retention_runs: RetentionRunsTable;
  widget_looks: WidgetLooksTable;
  files: FilesTable;
}
