import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { clock, randomId } from '../shared/format.js';
import { ApiError } from '../shared/http.js';
import { liveSocket } from '../shared/live-socket.js';
import { ChatApi, type ChatMessage, type ChatStatus, visitorToken } from './chat-api.js';

const embedded = window.parent !== window;

function visitorFields(): Record<string, string> {
  const page = new URLSearchParams(location.search).get('page');
  return { ...(page ? { page: page.slice(0, 500) } : {}), language: navigator.language.slice(0, 20) };
}

/**
 * The visitor's chat: history on load (it survives reloads, the token is kept), live answers over
 * a WebSocket, buttons the bot offers under its latest message, and files as links.
 */
export function ChatApp({ account, channel }: { account: string; channel: string }) {
  const api = useMemo(() => new ChatApi(account, channel, visitorToken()), [account, channel]);
  const [status, setStatus] = useState<ChatStatus | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const end = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  const merge = (m: ChatMessage) => setMessages((list) => {
    const i = list.findIndex((x) => x.id === m.id || (m.clientId !== null && x.clientId === m.clientId));
    if (i === -1) return [...list, m];
    const next = [...list];
    next[i] = m;
    return next;
  });

  const loadHistory = async () => {
    try {
      const h = await api.history();
      setStatus(h.status);
      setMessages((list) => [...h.messages, ...list.filter((m) => m.pending && !h.messages.some((x) => x.clientId === m.clientId))]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setMissing(true);
    }
  };

  useEffect(() => {
    const stop = liveSocket(`${api.base}/socket`, {
      onOpen: (ws) => {
        ws.send(JSON.stringify({ type: 'hello', token: api.token }));
        void loadHistory();
      },
      onMessage: (data) => {
        const d = data as { type?: string; message?: ChatMessage };
        if (d.type === 'message' && d.message) merge(d.message);
      },
    });
    const poll = setInterval(() => void api.status().then(setStatus, () => {}), 60_000);
    return () => {
      stop();
      clearInterval(poll);
    };
  }, [api]);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [messages.length]);

  const send = async (body: { text?: string; postback?: { payload: string; title: string } }) => {
    const id = randomId(12);
    const optimistic: ChatMessage = { id: `local-${id}`, from: 'visitor', name: null, content: body.postback ? { type: 'postback', text: body.postback.title, postback: body.postback } : { type: 'text', text: body.text! }, clientId: id, createdAt: new Date().toISOString(), pending: true };
    merge(optimistic);
    setError(null);
    try {
      merge((await api.send({ id, ...body, visitor: visitorFields() })).message);
      return true;
    } catch (err) {
      merge({ ...optimistic, pending: false, failed: true });
      setError(err instanceof ApiError ? err.message : 'Not sent. Check your connection.');
      return false;
    }
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const text = draft.trim();
    if (!text) return;
    setDraft('');
    if (!(await send({ text }))) setDraft(text);
    input.current?.focus();
  };

  const last = messages[messages.length - 1];
  const offered = last && last.from !== 'visitor' ? last.content.buttons ?? [] : [];
  const available = status?.available ?? true;
  const canWrite = available || messages.length > 0;

  if (missing) return <main class="chat"><p class="chat-offline" role="alert">This chat does not exist. Check the widget snippet.</p></main>;
  return (
    <main class="chat">
      <header class="chat-head">
        <div class="chat-avatar" aria-hidden="true">{(status?.title ?? 'C').slice(0, 1)}</div>
        <div class="chat-head-text">
          <h1>{status?.title ?? 'Chat'}</h1>
          <span class={`chat-status ${available ? 'on' : ''}`}>{status === null ? 'Connecting…' : available ? (status.botInFront ? 'Online · replies instantly' : 'Online · an agent will answer') : 'Offline'}</span>
        </div>
        {embedded && <button class="chat-close" type="button" aria-label="Close the chat" onClick={() => window.parent.postMessage({ baton: 'close' }, '*')}>×</button>}
      </header>
      <ol class="chat-log" aria-label="Messages" aria-live="polite">
        {messages.length === 0 && available && <li class="chat-hint">Say hello to start. {status?.botInFront ? 'Our assistant answers right away, and can bring in a person.' : 'An agent will answer you here.'}</li>}
        {messages.map((m) => (
          <li key={m.id} class={`bubble from-${m.from} ${m.pending ? 'pending' : ''} ${m.failed ? 'failed' : ''}`}>
            {m.from !== 'visitor' && <span class="bubble-author">{m.from === 'agent' ? m.name ?? 'Agent' : m.from === 'bot' ? 'Assistant' : 'Notice'}</span>}
            {m.content.text && <p>{m.content.text}</p>}
            {m.content.media && <a class="bubble-file" href={m.content.media.url} target="_blank" rel="noopener noreferrer" download={m.content.media.name}>{m.content.media.name ?? 'Download file'}</a>}
            <time>{m.failed ? 'not sent' : m.pending ? 'sending…' : clock(m.createdAt)}</time>
          </li>
        ))}
        <div ref={end} />
      </ol>
      {offered.length > 0 && (
        <div class="quick-replies" role="group" aria-label="Suggested answers">
          {offered.map((b) => <button key={b.title} type="button" class="quick" onClick={() => void send({ postback: { payload: b.payload ?? b.title, title: b.title } })}>{b.title}</button>)}
        </div>
      )}
      {!available && <p class="chat-offline" role="status">Nobody is available to chat right now. Please come back later{messages.length > 0 ? '; your conversation is kept here' : ''}.</p>}
      {error && <p class="chat-error" role="alert">{error}</p>}
      <form class="chat-compose" onSubmit={submit}>
        <textarea
          ref={input}
          rows={1}
          aria-label="Your message"
          placeholder={canWrite ? 'Write a message…' : 'Chat is offline'}
          value={draft}
          disabled={!canWrite}
          maxLength={4000}
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void submit(e);
            }
          }}
        />
        <button type="submit" class="chat-send" disabled={!canWrite || !draft.trim()} aria-label="Send">
          <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M3 20.5v-6l8-2.5-8-2.5v-6l19 8.5z" /></svg>
        </button>
      </form>
      <footer class="chat-foot">Powered by Baton</footer>
    </main>
  );
}
