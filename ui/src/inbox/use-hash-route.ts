import { useEffect, useState } from 'preact/hooks';

export type Route = { page: 'conversations'; id: string | null } | { page: 'admin' };

function parse(hash: string): Route {
  if (hash.startsWith('#/admin')) return { page: 'admin' };
  const m = /^#\/c\/([^/]+)/.exec(hash);
  return { page: 'conversations', id: m ? decodeURIComponent(m[1]!) : null };
}

/** Pages of the inbox live in the URL's hash, so reloads and the back button keep the place. */
export function useHashRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function go(route: Route): void {
  location.hash = route.page === 'admin' ? '#/admin' : route.id ? `#/c/${encodeURIComponent(route.id)}` : '#/';
}
