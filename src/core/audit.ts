import { newId } from './ids.js';

/** One line of the audit log: who changed control or configuration, what, and when. */
export interface AuditEntry {
  id: string;
  accountId: string;
  at: string;
  /** The credential the change came with (`api-key:…`, `agent:…`, `token:…`, `cli`, `config`). */
  actor: string;
  /** What was done: a control command (`handover`, `reset`, …) or an admin action (`emergency.on`, …). */
  action: string;
  /** What it was done to: a conversation, component, channel or agent id. */
  subject: string;
  details: Record<string, unknown>;
}

/** Who acts when no caller does: timers, the dispatcher, sweeps resumed at start. */
export const SYSTEM = 'system';

/**
 * The actor travels with the call that caused the change (edges pass the request's credential),
 * never in ambient context: a group commit runs many callers' commands in one transaction.
 */
export function auditEntry(accountId: string, at: string, action: string, subject: string, details: Record<string, unknown>, actor: string = SYSTEM): AuditEntry {
  return { id: newId(), accountId, at, actor, action, subject, details };
}
