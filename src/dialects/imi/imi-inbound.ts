import { BatonError } from '../../core/errors.js';
import type { MessageContent } from '../../core/model.js';

/** What a bot sent to its integration's webhook URL, read into one of three intents. */
export type ImiInbound =
  | { kind: 'reply'; conversationId: string; content: MessageContent }
  | { kind: 'handover'; conversationId: string; note: string | null; context: Record<string, unknown> }
  | { kind: 'close'; conversationId: string };

// Keys of the documented bodies; everything else a 1001 carries is a custom parameter.
const KNOWN = new Set(['eventid', 'event', 'conversationid', 'conversation_id', 'conversationtype', 'message', 'messagetype', 'messageid', 'media', 'channel', 'timestamp']);
const HANDOVER = new Set(['1001', 'handover']);
const CLOSE = new Set(['1002', 'close', 'closed', 'close conversation', 'close_conversation']);

function pick(body: Record<string, unknown>, ...names: string[]): unknown {
  for (const [k, v] of Object.entries(body)) if (names.includes(k.toLowerCase())) return v;
  return undefined;
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

function mediaContent(url: string, messageType: string, message: string): MessageContent {
  const kind = messageType.toLowerCase();
  const contentType = kind === 'image' ? 'image/*' : kind === 'video' ? 'video/*' : kind === 'audio' ? 'audio/*' : 'application/octet-stream';
  return { type: 'media', media: { url, contentType }, ...(message ? { text: message } : {}) };
}

/**
 * Reads a bot's request. Key case varies between the two documents (`Conversationid`,
 * `conversation_id`, `Messagetype`, `MessageType`), so keys are matched without case. The event
 * may come as `eventid` ("1001" handover, "1002" close) or by name (`"event": "handover"`).
 */
export function parseImiInbound(raw: unknown): ImiInbound {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BatonError('validation_failed', 'The body must be a JSON object.');
  const body = raw as Record<string, unknown>;
  const conversationId = text(pick(body, 'conversationid', 'conversation_id'));
  if (!conversationId) throw new BatonError('validation_failed', 'Conversationid (or conversation_id) is required: pass back the id Baton sent with the event.');
  const event = text(pick(body, 'eventid', 'event'))?.trim().toLowerCase() ?? null;
  const message = text(pick(body, 'message'));
  if (event !== null && HANDOVER.has(event)) {
    const context: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) if (!KNOWN.has(k.toLowerCase())) context[k] = v;
    return { kind: 'handover', conversationId, note: message, context };
  }
  if (event !== null && CLOSE.has(event)) return { kind: 'close', conversationId };
  if (event !== null) throw new BatonError('validation_failed', `Unknown event "${event}": use eventid 1001 (handover) or 1002 (close), or send a Message.`);
  const media = text(pick(body, 'media'));
  const messageType = text(pick(body, 'messagetype')) ?? 'text';
  if (media) return { kind: 'reply', conversationId, content: mediaContent(media, messageType, message ?? '') };
  if (message === null) throw new BatonError('validation_failed', 'Message is required for a reply (or send eventid 1001 / 1002).');
  return { kind: 'reply', conversationId, content: { type: 'text', text: message } };
}
