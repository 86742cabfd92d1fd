import { randomId } from '../shared/format.js';
import { requestJson } from '../shared/http.js';
import { type FileLimits, uploadFile } from '../shared/upload.js';

/** How the channel's chat looks (admin page or baton.yaml `widget:`). */
export interface ChatLook { color: string; greeting: string | null; position: 'bottom-right' | 'bottom-left' }

export interface ChatStatus { title: string; active: boolean; available: boolean; botInFront: boolean; look?: ChatLook }

/** What the history adds about people: anyone online now, and where this visitor's chat stands with them. */
/** `agent`: the name of the agent answering, while one is. */
export interface Humans {
  online: boolean;
  chat: 'none' | 'waiting' | 'answering';
  agent?: string | null;
  /** The email the visitor left with a message for the team, if any. */
  email?: string | null;
  /** While the chat waits with agents online: its place in the queue and the team's typical wait. */
  queue?: { position: number; typicalWaitMs: number | null } | null;
}

export interface ChatMessage {
  id: string;
  from: 'visitor' | 'bot' | 'agent' | 'system';
  name: string | null;
  content: { type: string; text?: string; media?: { url: string; name?: string; contentType?: string; size?: number }; postback?: { payload: string; title?: string }; buttons?: { title: string; payload?: string }[] };
  clientId: string | null;
  createdAt: string;
  /** Only on the page: sent, not yet confirmed by Baton. */
  pending?: boolean;
  failed?: boolean;
}

const TOKEN_KEY = 'baton.visitor-token';

/** The visitor's token: random, made once, kept in this browser; it names their chat and nothing else. */
export function visitorToken(): string {
  let token = localStorage.getItem(TOKEN_KEY);
  if (!token || !/^[A-Za-z0-9_-]{32,128}$/.test(token)) {
    token = randomId(32);
    localStorage.setItem(TOKEN_KEY, token);
  }
  return token;
}

/** The visitor's calls for one web chat channel. */
export class ChatApi {
  readonly base: string;

  constructor(readonly account: string, readonly channel: string, readonly token: string) {
    this.base = `/chat/api/${encodeURIComponent(account)}/${encodeURIComponent(channel)}`;
  }

  private headers() {
    return { 'x-visitor-token': this.token };
  }

  history = () => requestJson<{ status: ChatStatus; messages: ChatMessage[]; humans: Humans; closed?: boolean; files?: FileLimits }>('GET', `${this.base}/history`, undefined, this.headers());
  /** The file is the message: one call stores it and sends it (`id` makes a retry harmless). */
  upload = (id: string, file: File, onProgress: (done: number) => void) =>
    uploadFile<{ id: string; url: string; name: string; type: string; size: number; message: ChatMessage }>(`${this.base}/files`, file, { ...this.headers(), 'x-message-id': id }, onProgress);
  send = (body: { id: string; text?: string; postback?: { payload: string; title: string }; visitor?: Record<string, string> }) =>
    requestJson<{ message: ChatMessage }>('POST', `${this.base}/messages`, body, this.headers());
  offline = (body: { id: string; email: string; text: string }) => requestJson<{ message: ChatMessage; email: string }>('POST', `${this.base}/offline`, body, this.headers());
  /** The widget opened: `referer` the page it is on, `language` the chat's. Baton tells the bots that ask, if this visitor has chatted before. */
  opened = (body: { referer?: string; language?: string }) => requestJson<null>('POST', `${this.base}/opened`, body, this.headers());
  receipt = (messageId: string, status: 'delivered' | 'read') =>
    requestJson<{ messageId: string; status: string }>('POST', `${this.base}/messages/${encodeURIComponent(messageId)}/status`, { status }, this.headers());
}
