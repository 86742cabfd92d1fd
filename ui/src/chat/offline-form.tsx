import { useState } from 'preact/hooks';
import { ApiError } from '../shared/http.js';
import type { ChatApi, ChatMessage } from './chat-api.js';

/**
 * With nobody to answer (no bot in front, no agent online), the chat is not a dead end: the
 * visitor leaves an email and a message; Baton keeps the email as a field the visitor typed and
 * queues the message for the team, who answer when they are back.
 */
export function OfflineForm({ api, newId, onLeft }: { api: ChatApi; newId: () => string; onLeft: (m: ChatMessage) => void }) {
  const [email, setEmail] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || !email.trim() || !text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      onLeft((await api.offline({ id: newId(), email: email.trim(), text: text.trim() })).message);
    } catch (err) {
      setError(err instanceof ApiError && err.status !== 0 ? err.message : 'Not sent: the chat cannot reach us. Try again in a moment.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="chat-offline-form" aria-labelledby="offline-title" onSubmit={(e) => void submit(e)}>
      <p id="offline-title" class="sr-only">Leave a message for the team by email</p>
      <label>Your email<input type="email" name="email" autocomplete="email" required maxLength={254} value={email} onInput={(e) => setEmail(e.currentTarget.value)} /></label>
      <label>Message for the team<textarea name="message" rows={3} required maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} /></label>
      {error && <p class="chat-error" role="alert">{error}</p>}
      <button type="submit" class="btn btn-primary" disabled={busy || !email.trim() || !text.trim()}>Send to the team</button>
    </form>
  );
}
