import { useEffect, useMemo, useState } from 'preact/hooks';
import { Desk } from './desk.js';
import { InboxApi, type Me } from './inbox-api.js';
import { LoginPage } from './login-page.js';

/** The inbox: the login form until there is a session, then the desk. */
export function App() {
  const api = useMemo(() => new InboxApi(), []);
  // undefined while asking whether a session exists; null when there is none.
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    api.session().then((s) => (s.loggedIn ? api.me() : null)).then(setMe, () => setMe(null));
  }, [api]);
  if (me === undefined) return <div class="boot" aria-busy="true">Loading…</div>;
  if (me === null) return <LoginPage api={api} onLoggedIn={() => api.me().then(setMe)} />;
  return <Desk api={api} me={me} onMe={setMe} onLoggedOut={() => setMe(null)} />;
}
