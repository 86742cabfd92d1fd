import { AsyncLocalStorage } from 'node:async_hooks';
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

const actors = new AsyncLocalStorage<string>();

/**
 * The credential of the request being served, carried along its async path so the core can record
 * who acted without every edge passing it by hand. Outside a request it is `system` (timers, sweeps).
 */
export function currentActor(): string {
  return actors.getStore() ?? 'system';
}

export function actAs<T>(actor: string, fn: () => T): T {
  return actors.run(actor, fn);
}

/** Sets the actor for the rest of the current async path (used by request hooks). */
export function enterActor(actor: string): void {
  actors.enterWith(actor);
}

export function auditEntry(accountId: string, at: string, action: string, subject: string, details: Record<string, unknown>): AuditEntry {
  return { id: newId(), accountId, at, actor: currentActor(), action, subject, details };
}
