import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../shared/http.js';
import type { InboxApi } from './inbox-api.js';

/**
 * Agents log in with their account, agent id and password from baton.yaml. `ended`: the form came
 * back because the session ended, and says so (the desk returns to where it was).
 */
export function LoginPage({ api, ended = false, onLoggedIn }: { api: InboxApi; ended?: boolean; onLoggedIn: () => Promise<void> | void }) {
  const [account, setAccount] = useState(() => localStorage.getItem('baton.inbox.account') ?? '');
  const [agent, setAgent] = useState(() => localStorage.getItem('baton.inbox.agent') ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The form shows once the account is known: filled in under a visitor's fingers, it was typed
  // after ("acmeacme") by whoever had begun to type it.
  const [ready, setReady] = useState(false);
  const passwordInput = useRef<HTMLInputElement>(null);
  // `autofocus` works on a page's first load only; back after an ended session, the password is what is missing.
  useEffect(() => {
    if (ended && ready) passwordInput.current?.focus();
  }, [ended, ready]);

  useEffect(() => {
    api.loginOptions().then((o) => {
      if (o.account) setAccount((a) => a || o.account!);
    }, () => {}).finally(() => setReady(true));
  }, [api]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(account.trim(), agent.trim(), password);
      localStorage.setItem('baton.inbox.account', account.trim());
      localStorage.setItem('baton.inbox.agent', agent.trim());
      await onLoggedIn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Login failed.');
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  if (!ready) return <div class="boot" aria-busy="true">Loading…</div>;
  return (
    <main class="login">
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div class="brand brand-large"><span class="brand-mark" aria-hidden="true">B</span> Baton</div>
        <h1 id="login-title">Sign in to the inbox</h1>
        {ended && <p class="notice" role="status">Your session has ended. Sign in again to go on where you were; your reply drafts are kept.</p>}
        <label>
          Account
          <input name="account" value={account} onInput={(e) => setAccount(e.currentTarget.value)} autocomplete="organization" required />
        </label>
        <label>
          Agent
          <input name="agent" value={agent} onInput={(e) => setAgent(e.currentTarget.value)} autocomplete="username" required autofocus={!agent} />
        </label>
        <label>
          Password
          <input ref={passwordInput} name="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="current-password" required autofocus={Boolean(agent)} />
        </label>
        {error && <p class="form-error" role="alert">{error}</p>}
        <button class="btn btn-primary btn-block" type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <p class="hint">Agents and their passwords are declared in <code>baton.yaml</code>.</p>
      </form>
    </main>
  );
}
