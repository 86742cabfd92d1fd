import type { ChatStatus, Humans } from './chat-api.js';

/**
 * The chat's connection to Baton, one state for the frame and the launcher on the host page:
 *
 *   connecting ──socket open──▶ live ──socket closed, or a send finds Baton unreachable──▶ down
 *                                 ▲                                                      │
 *                                 └──────────────── socket open again ───────────────────┘
 */
export const CHAT_CONNECTION = Object.freeze({ CONNECTING: 'connecting', LIVE: 'live', DOWN: 'down' } as const);
export type ChatConnection = (typeof CHAT_CONNECTION)[keyof typeof CHAT_CONNECTION];

/** Everything the visitor is told about who answers, from one place, so no two lines disagree. */
export interface ChatView {
  /** The line under the chat's title. */
  headline: string;
  /** The dot beside it, a repeat of the headline: green someone answers, amber waiting, grey nobody. */
  tone: 'on' | 'wait' | 'off';
  /** The launcher's words on the host page (sent to it by the frame), greyed when nobody answers. */
  launcher: { text: string; dim: boolean };
  /** A notice above the message box. */
  notice: string | null;
  /** The line in a chat with no messages yet. */
  hint: string | null;
  /** Whether the message box takes text, and whether a message can be sent now. */
  canType: boolean;
  canSend: boolean;
  /** Nobody answers and the visitor has said nothing yet: the offline form (email and message) instead of the message box. */
  offlineForm?: boolean;
}

const BRIGHT = Object.freeze({ text: 'Chat with us', dim: false });
const DIM = (text: string) => ({ text, dim: true });
const NOBODY_ONLINE = 'Nobody from our team is online right now. Your messages are kept here, and a person answers when one is back.';

/**
 * @example chatView('live', { available: true, botInFront: true, ... }, { online: false, chat: 'none' }, false).headline
 *   // 'Assistant only · nobody from the team online'
 */
export function chatView(connection: ChatConnection, status: ChatStatus | null, humans: Humans | null, hasMessages: boolean): ChatView {
  const canType = status === null || status.available || hasMessages;
  if (connection === CHAT_CONNECTION.DOWN) {
    return { headline: 'Not connected · retrying', tone: 'off', launcher: DIM('Chat not connected'), notice: 'The chat cannot reach us right now. It reconnects by itself; what you type stays here.', hint: null, canType, canSend: false };
  }
  // Before the first answer a send is tried: it goes through, or says why not.
  if (status === null) return { headline: 'Connecting…', tone: 'off', launcher: BRIGHT, notice: null, hint: null, canType: true, canSend: true };
  const chat = humans?.chat ?? 'none';
  const online = humans?.online ?? false;
  if (chat === 'answering') return { headline: 'Online · a person is answering you', tone: 'on', launcher: BRIGHT, notice: null, hint: null, canType: true, canSend: true };
  if (chat === 'waiting') {
    const byEmail = humans?.email ? ` We will answer you by email at ${humans.email}.` : '';
    return online
      ? { headline: 'Waiting for a person to answer', tone: 'wait', launcher: BRIGHT, notice: queueLine(humans?.queue ?? null), hint: null, canType: true, canSend: true }
      : { headline: 'Waiting · nobody from the team online', tone: 'wait', launcher: DIM("We're offline"), notice: NOBODY_ONLINE + byEmail, hint: null, canType: true, canSend: true };
  }
  if (!status.available) {
    const notice = hasMessages ? 'Nobody is available to chat right now. Please come back later; your conversation is kept here.' : 'Nobody is available to chat right now. Leave your email and a message, and we answer you there.';
    return { headline: 'Offline', tone: 'off', launcher: DIM("We're offline"), notice, hint: null, canType, canSend: canType, offlineForm: !hasMessages };
  }
  if (status.botInFront) {
    return online
      ? { headline: 'Online · replies instantly', tone: 'on', launcher: BRIGHT, notice: null, hint: 'Say hello to start. Our assistant answers right away, and can bring in a person.', canType: true, canSend: true }
      : { headline: 'Assistant only · nobody from the team online', tone: 'on', launcher: BRIGHT, notice: null, hint: 'Say hello to start. Our assistant answers right away; nobody from our team is online at the moment.', canType: true, canSend: true };
  }
  return { headline: 'Online · a person will answer', tone: 'on', launcher: BRIGHT, notice: null, hint: 'Say hello to start. A person will answer you here.', canType: true, canSend: true };
}

/** "You are number 3 in the queue. Usual wait: about 4 minutes." Nothing about the wait when Baton cannot say. */
export function queueLine(queue: { position: number; typicalWaitMs: number | null } | null): string | null {
  if (!queue) return null;
  const place = queue.position === 1 ? 'You are next in the queue.' : `You are number ${queue.position} in the queue.`;
  if (queue.typicalWaitMs === null) return place;
  const minutes = Math.max(1, Math.round(queue.typicalWaitMs / 60_000));
  return `${place} Usual wait: about ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
