/** "just now", "4 min", "2 h 5 min", "3 d": how long something has been waiting. */
export function elapsed(since: string, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d`;
}

/** "a moment ago", "4 min ago": when something happened, in a sentence. */
export function ago(at: string, now: number = Date.now()): string {
  const e = elapsed(at, now);
  return e === 'just now' ? 'a moment ago' : `${e} ago`;
}

export function clock(at: string): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** A random id for idempotent sends (the server accepts each id once). */
export function randomId(bytes = 16): string {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return btoa(String.fromCharCode(...a)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
