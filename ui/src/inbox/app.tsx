import { useEffect, useMemo, useState } from 'preact/hooks';
import { Desk } from './desk.js';
import { InboxApi, type Me } from './inbox-api.js';
import { LoginPage } from './login-page.js';

/**
 * The inbox: the login form until there is a session, then the desk. Any 401 of a logged-in call
 * means the session ended: the login form comes back with a word why, the page's address (the
 * conversation) stays as it was, so logging in again returns there, drafts included.
 */
export function App() {
  const api = useMemo(() => new InboxApi(), []);
  // undefined while asking whether a session exists; null when there is none.
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    const stop = api.watch({
      unauthorized: () => {
        setEnded(true);
        setMe(null);
      },
    });
    api.session().then((s) => (s.loggedIn ? api.me() : null)).then(setMe, () => setMe(null));
    return stop;
  }, [api]);
  if (me === undefined) return <div class="boot" aria-busy="true">Loading…</div>;
  if (me === null) {
    return <LoginPage api={api} ended={ended} onLoggedIn={() => api.me().then((m) => {
      setEnded(false);
      setMe(m);
    })} />;
  }
  return <Desk api={api} me={me} onMe={setMe} onLoggedOut={() => setMe(null)} />;
}
