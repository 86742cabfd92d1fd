import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../shared/http.js';
import type { AgentRow, Card, FoundCard, InboxApi, SearchParams } from './inbox-api.js';
import { CardRow } from './card-row.js';

export const NO_SEARCH: SearchParams = { q: '', assignee: '', status: '' };
const MIN_CHARS = 2;
const DEBOUNCE_MS = 250;

/** Whether the search box asks for anything: then its results replace the queues. */
export function searching(p: SearchParams): boolean {
  return p.q.trim().length > 0 || p.assignee !== '' || p.status !== '';
}

/** The search box (`/` from anywhere), with who holds the conversation and its status. */
export function SearchBar({ params, agents, meId, onChange }: { params: SearchParams; agents: AgentRow[]; meId: string; onChange: (p: SearchParams) => void }) {
  const set = (part: Partial<SearchParams>) => onChange({ ...params, ...part });
  return (
    <form class="search" role="search" onSubmit={(e) => e.preventDefault()}>
      <input
        type="search"
        class="search-box"
        aria-label="Search conversations"
        placeholder="Search name, email, id or text (/)"
        data-shortcut="search"
        value={params.q}
        maxLength={200}
        onInput={(e) => set({ q: e.currentTarget.value })}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          e.preventDefault();
          onChange(NO_SEARCH);
          e.currentTarget.blur();
        }}
      />
      <div class="search-filters">
        <select aria-label="Assignee" value={params.assignee} onChange={(e) => set({ assignee: e.currentTarget.value })}>
          <option value="">Anyone</option>
          <option value="me">Me</option>
          <option value="unassigned">Unassigned</option>
          {agents.filter((a) => a.id !== meId).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
        </select>
        <select aria-label="Status" value={params.status} onChange={(e) => set({ status: e.currentTarget.value as SearchParams['status'] })}>
          <option value="">Any status</option>
          <option value="open">Open</option>
          <option value="closed">Closed</option>
        </select>
        {searching(params) && <button type="button" class="btn btn-ghost small" onClick={() => onChange(NO_SEARCH)}>Clear</button>}
      </div>
    </form>
  );
}

interface Results {
  items: FoundCard[];
  next: string | null;
  state: 'loading' | 'done' | 'error';
  error: string;
}

/**
 * What the search found, recent conversations first. Each answer covers a bounded number of
 * conversations; "Search older conversations" goes on from where it stopped.
 */
export function SearchResults({ api, params, meId, agents, unread, selectedId, onSelect, changed }: { api: InboxApi; params: SearchParams; meId: string; agents: AgentRow[]; unread: (c: Card) => number; selectedId: string | null; onSelect: (id: string) => void; changed: unknown }) {
  const [r, setR] = useState<Results>({ items: [], next: null, state: 'loading', error: '' });
  const asked = useRef(0);
  const older = useRef(false);
  const tooShort = params.q.trim().length > 0 && params.q.trim().length < MIN_CHARS;
  const sent: SearchParams = tooShort ? { ...params, q: '' } : params;

  const run = async (after: string | null) => {
    const n = ++asked.current;
    older.current = after !== null;
    setR((x) => ({ ...x, state: 'loading' }));
    try {
      const page = await api.search(sent, after);
      // A slower answer to an older question must not replace a newer one.
      if (n !== asked.current) return;
      setR((x) => ({ items: after ? [...x.items, ...page.items] : page.items, next: page.next, state: 'done', error: '' }));
    } catch (err) {
      if (n === asked.current) setR((x) => ({ ...x, state: 'error', error: err instanceof ApiError ? err.message : 'The search did not work.' }));
    }
  };
  useEffect(() => {
    if (tooShort && !params.assignee && !params.status) return;
    const t = setTimeout(() => void run(null), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [sent.q, sent.assignee, sent.status]);
  // The queues were read again (something changed in the account): so are the results, unless
  // the agent went further back, where a fresh first page would lose their place.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (older.current || (tooShort && !params.assignee && !params.status)) return;
    const t = setTimeout(() => void run(null), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [changed]);

  if (tooShort && !params.assignee && !params.status) return <p class="empty small" data-testid="search-status">Type at least {MIN_CHARS} characters.</p>;
  return (
    <div class="card-list search-results" aria-label="Search results" aria-busy={r.state === 'loading' ? 'true' : undefined}>
      <p class="muted small search-status" role="status" data-testid="search-status">
        {r.state === 'error' ? r.error : r.state === 'loading' && r.items.length === 0 ? 'Searching…' : r.items.length === 0 ? (r.next ? 'Nothing among the recent conversations.' : 'No conversation matches.') : `${r.items.length} found${r.next ? ' among the recent conversations' : ''}`}
      </p>
      <ul>
        {r.items.map((c) => <CardRow key={c.id} card={c} meId={meId} agents={agents} unread={unread(c)} selected={c.id === selectedId} onSelect={onSelect} match={c.match} />)}
      </ul>
      {r.next && (
        <button type="button" class="btn small more" disabled={r.state === 'loading'} onClick={() => void run(r.next)}>Search older conversations</button>
      )}
    </div>
  );
}
