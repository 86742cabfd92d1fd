import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { clock, randomId } from '../shared/format.js';
import { ApiError } from '../shared/http.js';
import { liveSocket } from '../shared/live-socket.js';
import { ChatApi, type ChatMessage, type ChatStatus, type Humans, visitorToken } from './chat-api.js';
import { CHAT_CONNECTION, type ChatConnection, chatView } from './chat-view.js';
import { ChatReceipts } from './chat-receipts.js';
import { useChatShown, useChatTyping } from './chat-typing.js';
import { useChatOpens } from './chat-opens.js';
import { OfflineForm } from './offline-form.js';
import { AttachButton } from '../shared/attach-button.js';
import { FilePreview } from '../shared/file-preview.js';
import { LinkedText } from '../shared/linked-text.js';
import { DEFAULT_LIMITS, type FileLimits, fileProblem } from '../shared/upload.js';

const embedded = window.parent !== window;

function visitorFields(): Record<string, string> {
  const page = new URLSearchParams(location.search).get('page');
  return { ...(page ? { page: page.slice(0, 500) } : {}), language: navigator.language.slice(0, 20) };
}

/** Tells the widget on the host page (a window of another origin) what the chat says, or asks it to close. */
function toHost(message: { baton: 'state'; launcher: string; dim: boolean } | { baton: 'close' } | { baton: 'arrived'; id: string }): void {
  if (embedded) window.parent.postMessage(message, '*');
}

/**
 * The visitor's chat: history on load (it survives reloads, the token is kept), live answers over
 * a WebSocket, buttons the bot offers under its latest message, files sent and shown (pictures as
 * thumbnails, PDFs as chips), and links in text. What it says
 * about who answers comes from one place (chatView), the launcher on the host page included.
 */
export function ChatApp({ account, channel }: { account: string; channel: string }) {
  const api = useMemo(() => new ChatApi(account, channel, visitorToken()), [account, channel]);
  // Told once per open; a Baton that does not answer changes nothing for the visitor.
  useChatOpens(embedded, () => {
    const referer = new URLSearchParams(location.search).get('page') ?? document.referrer;
    const language = document.documentElement.lang;
    void api.opened({ ...(referer ? { referer: referer.slice(0, 2048) } : {}), ...(/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(language) ? { language } : {}) }).catch(() => {});
  });
  const [status, setStatus] = useState<ChatStatus | null>(null);
  const [humans, setHumans] = useState<Humans | null>(null);
  const humansNow = useRef(humans);
  humansNow.current = humans;
  const [connection, setConnection] = useState<ChatConnection>(CHAT_CONNECTION.CONNECTING);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<{ text: string; unreachable: boolean } | null>(null);
  const [missing, setMissing] = useState(false);
  const end = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const shownDraft = useRef(draft);
  shownDraft.current = draft;
  const socket = useRef<WebSocket | null>(null);
  const typing = useChatTyping(socket);
  const [closed, setClosed] = useState(false);
  const [limits, setLimits] = useState<FileLimits>(DEFAULT_LIMITS);
  // The file on its way, and how much of it has gone.
  const [uploading, setUploading] = useState<{ name: string; done: number } | null>(null);
  const shown = useChatShown(embedded);
  const receipts = useMemo(() => new ChatReceipts(api), [api]);
  useEffect(() => receipts.look(messages, shown), [messages, shown, receipts]);

  // A history answer is the store as it was when asked: a message pushed since is newer, not gone,
  // and an answer overtaken by a later one says nothing new.
  const pushes = useRef({ count: 0, at: new Map<string, number>() });
  const histories = useRef({ asked: 0, applied: 0 });
  const pushed = (m: ChatMessage) => {
    pushes.current.at.set(m.id, ++pushes.current.count);
    merge(m);
  };
  const merge = (m: ChatMessage) => setMessages((list) => {
    const i = list.findIndex((x) => x.id === m.id || (m.clientId !== null && x.clientId === m.clientId));
    if (i === -1) return [...list, m];
    const next = [...list];
    next[i] = m;
    return next;
  });

  const loadHistory = async () => {
    const asked = ++histories.current.asked;
    const since = pushes.current.count;
    try {
      const h = await api.history();
      if (asked < histories.current.applied) return;
      histories.current.applied = asked;
      setStatus(h.status);
      setHumans(h.humans ?? null);
      setClosed(h.closed === true);
      if (h.files) setLimits(h.files);
      const known = (m: ChatMessage) => h.messages.some((x) => x.id === m.id || (m.clientId !== null && x.clientId === m.clientId));
      const newer = (m: ChatMessage) => m.pending || (pushes.current.at.get(m.id) ?? 0) > since;
      setMessages((list) => [...h.messages, ...list.filter((m) => newer(m) && !known(m))]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setMissing(true);
      if (err instanceof ApiError && err.status === 0) setConnection(CHAT_CONNECTION.DOWN);
    }
  };

  useEffect(() => {
    const live = liveSocket(`${api.base}/socket`, {
      onOpen: (ws) => {
        ws.send(JSON.stringify({ type: 'hello', token: api.token }));
        socket.current = ws;
        setConnection(CHAT_CONNECTION.LIVE);
        // An "unreachable" error is no longer true once the socket is back.
        setError((e) => (e?.unreachable ? null : e));
        void loadHistory();
      },
      onState: (up) => {
        if (up) return;
        socket.current = null;
        setConnection(CHAT_CONNECTION.DOWN);
      },
      onMessage: (data) => {
        const d = data as { type?: string; message?: ChatMessage; name?: unknown };
        if (d.type === 'message' && d.message) {
          pushed(d.message);
          if (d.message.from === 'agent') typing.stop();
          // The widget counts answers that come while the chat is closed, on its launcher.
          if (d.message.from === 'agent' || d.message.from === 'bot') toHost({ baton: 'arrived', id: d.message.id });
        } else if (d.type === 'typing' && typeof d.name === 'string') typing.heard(d.name.slice(0, 80));
        // Who answers has changed (a handover, an agent taking it, an agent going on- or offline).
        else if (d.type === 'changed' || d.type === 'availability') void loadHistory();
        // A chat ahead left the queue: a waiting visitor's place moved up.
        else if (d.type === 'queue' && humansNow.current?.chat === 'waiting') void loadHistory();
      },
    });
    const poll = setInterval(() => void loadHistory(), 60_000);
    return () => {
      live.close();
      clearInterval(poll);
    };
  }, [api]);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [messages.length]);

  const view = chatView(connection, status, humans, messages.length > 0);
  useEffect(() => toHost({ baton: 'state', launcher: view.launcher.text, dim: view.launcher.dim }), [view.launcher.text, view.launcher.dim]);

  // The widget asks for focus when the visitor opens it, with what they typed before the chat was there.
  // It gives this frame the focus and then posts those keys, so the keys typed next can reach the
  // frame before the message does: the widget's keys go where the draft stood when the focus came.
  useEffect(() => {
    let focusedAt: number | null = null;
    const onFocus = () => {
      focusedAt = shownDraft.current.length;
    };
    const onBlur = () => {
      focusedAt = null;
    };
    const onMessage = (e: MessageEvent) => {
      const d = e.data as { baton?: string; typed?: unknown } | null;
      if (e.source !== window.parent || d?.baton !== 'focus') return;
      const typed = typeof d.typed === 'string' ? d.typed.slice(0, 200) : '';
      const at = focusedAt;
      focusedAt = null;
      if (typed) setDraft((t) => (at === null || at > t.length ? t + typed : t.slice(0, at) + typed + t.slice(at)));
      input.current?.focus();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && embedded) toHost({ baton: 'close' });
      // Keys that reach the page itself (the frame has the focus, the message box not yet) are meant for the message box.
      const box = input.current;
      const unfocused = document.activeElement === null || document.activeElement === document.body;
      if (box && !box.disabled && unfocused && e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        setDraft((t) => t + e.key);
        box.focus();
      }
    };
    addEventListener('focus', onFocus);
    addEventListener('blur', onBlur);
    addEventListener('message', onMessage);
    addEventListener('keydown', onKey);
    return () => {
      removeEventListener('focus', onFocus);
      removeEventListener('blur', onBlur);
      removeEventListener('message', onMessage);
      removeEventListener('keydown', onKey);
    };
  }, []);

  const send = async (body: { text?: string; postback?: { payload: string; title: string } }) => {
    const id = randomId(12);
    const firstMessage = messages.length === 0 || closed;
    const optimistic: ChatMessage = { id: `local-${id}`, from: 'visitor', name: null, content: body.postback ? { type: 'postback', text: body.postback.title, postback: body.postback } : { type: 'text', text: body.text! }, clientId: id, createdAt: new Date().toISOString(), pending: true };
    merge(optimistic);
    setError(null);
    try {
      pushed((await api.send({ id, ...body, visitor: visitorFields() })).message);
      // A first message may have put the chat in the team's queue: read where it stands.
      if (firstMessage) void loadHistory();
      // A closed chat opens again with the visitor's message (the core decides how).
      setClosed(false);
      typing.sent();
      return true;
    } catch (err) {
      merge({ ...optimistic, pending: false, failed: true });
      const unreachable = err instanceof ApiError && err.status === 0;
      if (unreachable) setConnection(CHAT_CONNECTION.DOWN);
      setError({ text: err instanceof ApiError && !unreachable ? err.message : 'Not sent: the chat cannot reach us. Send it again when it is back.', unreachable });
      return false;
    }
  };
  const attach = async (file: File) => {
    const problem = fileProblem(file, limits);
    if (problem) {
      setError({ text: problem, unreachable: false });
      return;
    }
    const firstMessage = messages.length === 0 || closed;
    setError(null);
    setUploading({ name: file.name, done: 0 });
    try {
      const sent = await api.upload(randomId(12), file, (done) => setUploading({ name: file.name, done }));
      pushed(sent.message);
      if (firstMessage) void loadHistory();
      setClosed(false);
    } catch (err) {
      const unreachable = err instanceof ApiError && err.status === 0;
      if (unreachable) setConnection(CHAT_CONNECTION.DOWN);
      setError({ text: err instanceof ApiError && !unreachable ? err.message : 'Not sent: the chat cannot reach us. Send the file again when it is back.', unreachable });
    } finally {
      setUploading(null);
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const text = draft.trim();
    if (!text || !view.canSend) return;
    setDraft('');
    if (!(await send({ text }))) setDraft(text);
    input.current?.focus();
  };

  const last = messages[messages.length - 1];
  const offered = last && last.from !== 'visitor' ? last.content.buttons ?? [] : [];

  if (missing) return <main class="chat"><p class="chat-offline" role="alert">This chat does not exist. Check the widget snippet.</p></main>;
  return (
    <main class="chat" style={accentStyle(status?.look?.color)}>
      <header class="chat-head">
        <div class="chat-avatar" aria-hidden="true">{(status?.title ?? 'C').slice(0, 1)}</div>
        <div class="chat-head-text">
          <h1>{status?.title ?? 'Chat'}</h1>
          <span class={`chat-status tone-${view.tone}`} role="status" data-testid="chat-status">{view.headline}</span>
          {humans?.chat === 'answering' && humans.agent && <span class="chat-joined" role="status" data-testid="chat-joined">{humans.agent} joined the chat</span>}
        </div>
        {embedded && <button class="chat-close" type="button" aria-label="Close the chat" title="Close (Esc)" onClick={() => toHost({ baton: 'close' })}>×</button>}
      </header>
      <ol class="chat-log" aria-label="Messages" aria-live="polite">
        {/* The greeting is text from the admin page or baton.yaml: rendered as text, never as markup. */}
        {status?.look?.greeting && <li class="bubble from-bot chat-greeting" data-testid="chat-greeting"><p>{status.look.greeting}</p></li>}
        {messages.length === 0 && view.hint && <li class="chat-hint">{view.hint}</li>}
        {messages.map((m) => (
          <li key={m.id} class={`bubble from-${m.from} ${m.pending ? 'pending' : ''} ${m.failed ? 'failed' : ''}`}>
            {m.from !== 'visitor' && <span class="bubble-author">{m.from === 'agent' ? m.name ?? 'Agent' : m.from === 'bot' ? 'Assistant' : 'Notice'}</span>}
            {m.content.text && <p><LinkedText text={m.content.text} /></p>}
            {m.content.media && <FilePreview media={m.content.media} />}
            <time>{m.failed ? 'not sent' : m.pending ? 'sending…' : clock(m.createdAt)}</time>
          </li>
        ))}
        {typing.agentTyping && <li class="chat-typing" role="status" data-testid="chat-typing">{typing.agentTyping} is typing…</li>}
        <div ref={end} />
      </ol>
      {offered.length > 0 && (
        <div class="quick-replies" role="group" aria-label="Suggested answers">
          {offered.map((b) => <button key={b.title} type="button" class="quick" disabled={!view.canSend} onClick={() => void send({ postback: { payload: b.payload ?? b.title, title: b.title } })}>{b.title}</button>)}
        </div>
      )}
      {closed && messages.length > 0 && <p class="chat-closed" role="status" data-testid="chat-closed">This conversation was closed. Write to start a new one.</p>}
      {view.notice && <p class="chat-offline" role="status">{view.notice}</p>}
      {uploading && <p class="chat-uploading" role="status" data-testid="uploading">Uploading {uploading.name}… {Math.round(uploading.done * 100)}%</p>}
      {error && <p class="chat-error" role="alert">{error.text}</p>}
      {view.offlineForm && <OfflineForm api={api} newId={() => randomId(12)} onLeft={(m) => {
        pushed(m);
        void loadHistory();
      }} />}
      <form class="chat-compose" onSubmit={submit}>
        <AttachButton class="chat-attach" limits={limits} disabled={!view.canSend || uploading !== null} onFile={(f) => void attach(f)} />
        <textarea
          ref={input}
          rows={1}
          aria-label="Your message"
          placeholder={view.canType ? 'Write a message…' : 'Chat is offline'}
          value={draft}
          disabled={!view.canType}
          maxLength={4000}
          onInput={(e) => {
            setDraft(e.currentTarget.value);
            if (e.currentTarget.value.trim()) typing.typed();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void submit(e);
            }
          }}
        />
        <button type="submit" class="chat-send" disabled={!view.canSend || !draft.trim()} aria-label="Send">
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M3 20.5v-6l8-2.5-8-2.5v-6l19 8.5z" /></svg>
        </button>
      </form>
      <footer class="chat-foot">Powered by Baton</footer>
    </main>
  );
}

/** The channel's colour for the header, the visitor's bubbles and the buttons; only a six-digit hex reaches the style. */
function accentStyle(color: string | undefined): Record<string, string> | undefined {
  if (!color || !/^#[0-9a-fA-F]{6}$/.test(color)) return undefined;
  return { '--accent': color, '--accent-strong': color };
}
