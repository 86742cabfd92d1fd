import { BatonError } from './errors.js';
import { type Conversation, type WorkItem, isAgentSessionOpen } from './conversation.js';
import type { CloserGuard, PartialTable } from './control-types.js';
import { checkVersion, closeAgentSession, doHandback, requireBotSession } from './control-steps.js';
import { taken } from './control-handover.js';

/** The sessions' and work items' own life, and what moves no control (control.ts holds the whole table). */
export const sessionHandlers: PartialTable<'position' | 'close_bot_session' | 'close_agent_session' | 'close' | 'assign' | 'transfer' | 'defer' | 'update_context' | 'open_work_item' | 'close_work_item' | 'message_status' | 'add_note' | 'widget_opened'> = {
  position(conv, cmd, _env, out) {
    conv.position = { flow: cmd.flow, step: cmd.step };
    out.push({ type: 'position.requested', data: { by: cmd.by ?? null, flow: cmd.flow, step: cmd.step } });
  },

  close_bot_session(conv, cmd, _env, out) {
    requireBotSession(conv, cmd.botSessionId);
    if (!conv.botSession) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no open bot session.`);
    out.push({ type: 'bot_session.closed', data: { botSessionId: conv.botSession.id, by: cmd.by ?? null } });
    conv.botSession = null;
  },

  close_agent_session(conv, cmd, env, out) {
    const s = conv.agentSession;
    const meant = isAgentSessionOpen(s) && (cmd.agentSessionId === undefined || s.id === cmd.agentSessionId) ? s : null;
    if (cmd.guard) refuseClose(conv, cmd.guard, cmd.agentSessionId ?? s?.id ?? '', meant ? { replied: meant.hadAgentReply, owner: meant.agentId } : null);
    if (cmd.agentSessionId !== undefined && !meant) throw new BatonError('invalid_transition', `Agent session ${cmd.agentSessionId} is already closed.`);
    if (!isAgentSessionOpen(conv.agentSession)) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no open agent session.`);
    closeAgentSession(conv, env, out, 'closed', cmd.agentId);
    if (env.account.reopenPolicy === 'bot-first' && conv.bot && !env.account.emergency) {
      doHandback(conv, env, out, { reason: 'agent_session_closed' });
    }
  },

  close(conv, cmd, env, out) {
    checkVersion(conv, cmd.expectedVersion);
    if (conv.status === 'closed') throw new BatonError('invalid_transition', `Conversation ${conv.id} is already closed.`);
    closeAgentSession(conv, env, out, 'conversation_closed');
    if (conv.botSession) {
      out.push({ type: 'bot_session.closed', data: { botSessionId: conv.botSession.id, by: cmd.by ?? null } });
      conv.botSession = null;
    }
    conv.status = 'closed';
    out.push({ type: 'conversation.closed', data: { by: cmd.by ?? null } });
  },

  assign(conv, cmd, _env, out) {
    const s = conv.agentSession;
    if (!isAgentSessionOpen(s)) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no open agent session to assign.`);
    // A take is a compare-and-set: the command runs under the conversation's lock, so of two
    // agents taking at once the second sees the first one's name here.
    if (s.agentId === cmd.agentId && s.status === 'assigned') return;
    if (s.agentId && s.agentId !== cmd.agentId && !cmd.reassign) throw taken(conv, s.agentId);
    s.agentId = cmd.agentId;
    s.status = 'assigned';
    out.push({ type: 'agent_session.assigned', data: { agentSessionId: s.id, agentId: cmd.agentId } });
  },

  transfer(conv, cmd, _env, out) {
    const s = conv.agentSession;
    if (!isAgentSessionOpen(s)) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no open agent session to transfer.`);
    s.team = cmd.team;
    s.agentId = null;
    s.status = 'queued';
    conv.team = cmd.team;
    out.push({ type: 'agent_session.transferred', data: { agentSessionId: s.id, team: cmd.team } });
  },

  defer(conv, cmd, env, out) {
    const s = conv.agentSession;
    if (!isAgentSessionOpen(s)) throw new BatonError('invalid_transition', `Conversation ${conv.id} has no open agent session to defer.`);
    s.status = 'deferred';
    s.deferredAt = env.now;
    out.push({ type: 'agent_session.deferred', data: { agentSessionId: s.id, agentId: cmd.agentId ?? s.agentId } });
  },

  update_context(conv, cmd, _env, out) {
    conv.context = { ...conv.context, ...cmd.context };
    out.push({ type: 'context.updated', data: { context: cmd.context } });
  },

  open_work_item(conv, cmd, env, out) {
    const current = conv.workItem;
    if (current && !current.closedAt) throw new BatonError('invalid_transition', `Conversation ${conv.id} already has an open work item (${current.id}, opened by ${current.owner.id}); close it first.`);
    if (current?.messageId === cmd.messageId) throw new BatonError('invalid_transition', `Message ${cmd.messageId} already had a work item (${current.id}).`);
    const item: WorkItem = { id: env.newId(), owner: cmd.owner, messageId: cmd.messageId, openedAt: env.now, closedAt: null, replies: 0, firstReplyId: null, firstReplyAt: null, lastReplyAt: null, replyTimeTotalMs: 0, lastReplyTimeMs: null };
    conv.workItem = item;
    out.push({ type: 'work_item.opened', data: { workItemId: item.id, owner: item.owner, messageId: item.messageId } });
  },

  close_work_item(conv, cmd, env, out) {
    const w = conv.workItem;
    if (cmd.guard) refuseClose(conv, cmd.guard, cmd.workItemId, w && w.id === cmd.workItemId && !w.closedAt ? { replied: w.replies > 0, owner: w.owner.id } : null);
    // Only the current work item can be open; an earlier id is one that closed long ago.
    if (!w || w.id !== cmd.workItemId || w.closedAt) throw new BatonError('invalid_transition', `Work item ${cmd.workItemId} is already closed.`);
    if (w.replies === 0) throw new BatonError('invalid_transition', `Work item ${w.id} has no reply from ${w.owner.id} yet; it closes once its owner has answered in it.`);
    w.closedAt = env.now;
    out.push({ type: 'work_item.closed', data: { workItemId: w.id, by: cmd.by ?? null, owner: w.owner, replies: w.replies } });
  },

  message_status(_conv, cmd, _env, out) {
    out.push({ type: 'message.status', data: { messageId: cmd.messageId, componentId: cmd.componentId, status: cmd.status, description: cmd.description ?? null } });
  },

  add_note(_conv, cmd, _env, out) {
    // Control is untouched: a note is a word between agents, allowed whoever holds the conversation.
    out.push({ type: 'note.added', data: { agentId: cmd.agentId, text: cmd.text } });
  },

  widget_opened(_conv, cmd, _env, out) {
    // Only told, whoever holds the conversation and whether it is open or closed: a bot may greet
    // a returning visitor, but the open moves nothing.
    out.push({ type: 'widget.opened', data: { ...cmd.opening } });
  },

};

/**
 * Seed 003's four conditions under which closing an intervention is refused (403), in its order:
 * it is already closed, has no agent replies, belongs to another user (unless the caller may edit
 * permissions), or sits on a source the caller cannot read. `open` is null when it is closed.
 */
function refuseClose(conv: Conversation, guard: CloserGuard, id: string, open: { replied: boolean; owner: string | null } | null): void {
  if (!open) throw new BatonError('forbidden', `Intervention ${id} is already closed.`);
  if (!open.replied) throw new BatonError('forbidden', `Intervention ${id} has no agent replies yet: open it before the first reply and answer in it.`);
  if (open.owner !== guard.userId && !guard.admin) throw new BatonError('forbidden', `Intervention ${id} belongs to ${open.owner ?? 'nobody yet'}, and the token's user ${guard.userId} may not edit permissions.`);
  if (!guard.canRead) throw new BatonError('forbidden', `The token's user ${guard.userId} has no read access on source ${conv.channelId}.`);
}
