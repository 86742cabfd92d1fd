import { auditEntry } from './audit.js';
import type { ControlEffect } from './control-types.js';
import type { Conversation } from './conversation.js';
import { newId } from './ids.js';
import type { StoreTx } from './ports.js';

/**
 * Writes what a transition asked for besides its events (control.ts effectsOf), in the command's
 * own transaction, so a rollback drops them with the change: the timers it armed, its audit line.
 */
export async function writeEffects(tx: StoreTx, conv: Conversation, effects: readonly ControlEffect[], now: string, actor: string): Promise<void> {
  for (const effect of effects) {
    if (effect.kind === 'timer') {
      await tx.putTimer({ id: newId(), accountId: conv.accountId, conversationId: conv.id, kind: effect.timer, ref: effect.ref, dueAt: effect.dueAt });
    } else {
      await tx.appendAudit({ ...auditEntry(conv.accountId, now, effect.action, conv.id, effect.details), actor });
    }
  }
}
