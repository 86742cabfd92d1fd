import type { ExpressionBuilder } from 'kysely';
import type { AttemptRecord, Cursor } from '../delivery/ports.js';
import type { Database } from './schema.js';
import type { Slot } from './statement-book.js';

/** A delivered outcome as the batch settles it. */
export interface Delivered {
  c: Cursor;
  claimId: string;
  deliveryId: string;
  attempt: AttemptRecord | null;
  at: string;
  attemptNo: number;
  /** The renewed lease when the cursor has more queued and keeps its claim. */
  leaseUntil: string;
}

export function cursorId(c: Pick<Cursor, 'account_id' | 'target_kind' | 'target_id' | 'conversation_id'>): string {
  return `${c.account_id}\u0000${c.target_kind}\u0000${c.target_id}\u0000${c.conversation_id}`;
}

export function cursorKey(c: Cursor) {
  return (eb: ExpressionBuilder<Database, 'delivery_cursors'>) => eb.and([eb('account_id', '=', c.account_id), eb('target_kind', '=', c.target_kind), eb('target_id', '=', c.target_id), eb('conversation_id', '=', c.conversation_id)]);
}

/** A cursor's key as named parameters of a compiled statement. */
export function cursorParams(c: Cursor): Record<string, unknown> {
  return { account_id: c.account_id, target_kind: c.target_kind, target_id: c.target_id, conversation_id: c.conversation_id };
}

/** A cursor key made of slots, for statements compiled once (store/statement-book.ts). */
export function slotted(v: Slot): Cursor {
  return { account_id: v('account_id'), target_kind: v('target_kind'), target_id: v('target_id'), conversation_id: v('conversation_id'), head_seq: null };
}

/** A replay may have moved the head back below the delivery just finished; resume from there. */
export function resumeAfter(finishedSeq: number, headSeq: number | null): number {
  return headSeq !== null && headSeq < finishedSeq ? headSeq - 1 : finishedSeq;
}
