import { useState } from 'preact/hooks';
import { CardRow } from './card-row.js';
import type { AgentRow, Card, InboxApi, Me, SearchParams } from './inbox-api.js';
import { inQueue, isMine } from './queues.js';
import { NO_SEARCH, SearchBar, SearchResults, searching } from './search-panel.js';

type Tab = 'queue' | 'mine' | 'bot' | 'open' | 'closed';

const TABS: { id: Tab; label: string }[] = [
  { id: 'queue', label: 'Queue' },
  { id: 'mine', label: 'Mine' },
  { id: 'bot', label: 'Bot' },
  { id: 'open', label: 'Open' },
  { id: 'closed', label: 'Closed' },
];

function pick(tab: Tab, open: Card[], closed: Card[], meId: string): Card[] {
  switch (tab) {
    case 'queue': return open.filter(inQueue).sort((a, b) => (a.waitingSince ?? '').localeCompare(b.waitingSince ?? ''));
    case 'mine': return open.filter((c) => isMine(c, meId));
    case 'bot': return open.filter((c) => c.controller === 'bot');
    case 'open': return open;
    case 'closed': return closed;
  }
}

/**
 * The queues: by tab, by team, longest-waiting first in the queue. Every card shows the last
 * message, how many the customer wrote that this agent has not read, and stands out while the
 * customer waits for an answer (they wrote last). Above them the search box: while it asks for
 * something, its results take the queues' place.
 */
export function QueueList({ api, me, open, closed, agents, unread, selectedId, onSelect }: { api: InboxApi; me: Me; open: Card[]; closed: Card[]; agents: AgentRow[]; unread: (c: Card) => number; selectedId: string | null; onSelect: (id: string) => void }) {
  const [tab, setTab] = useState<Tab>('queue');
  const [search, setSearch] = useState<SearchParams>(NO_SEARCH);
  const [team, setTeam] = useState<string>('');
  const [category, setCategory] = useState<string>('');
  const all = pick(tab, open, closed, me.agent.id);
  const shown = all.filter((c) => (!team || (team === '-' ? c.team === null : c.team === team)) && (!category || c.categories.includes(category)));
  const categories = [...new Set([...open, ...closed].flatMap((c) => c.categories))].sort();
  const teams = me.account.teams;
  const groups = tab === 'queue' ? groupByTeam(shown) : [{ team: null as string | null, label: '', items: shown }];
  const online = agents.filter((a) => a.presence === 'online');

  return (
    <section class="queues" aria-label="Conversations">
      <SearchBar params={search} agents={agents} meId={me.agent.id} onChange={setSearch} />
      {searching(search) ? <SearchResults api={api} params={search} meId={me.agent.id} agents={agents} unread={unread} selectedId={selectedId} onSelect={onSelect} changed={open} /> : <>
        <div class="tabs" role="tablist" aria-label="Queues">
          {TABS.map((t) => (
            <button key={t.id} role="tab" type="button" aria-selected={tab === t.id} class="tab" onClick={() => setTab(t.id)}>
              {t.label}
              <span class="count">{pick(t.id, open, closed, me.agent.id).length}</span>
            </button>
          ))}
        </div>
        <div class="queue-tools">
          <label class="inline-label">
            Team
            <select value={team} onChange={(e) => setTeam(e.currentTarget.value)}>
              <option value="">All teams</option>
              {teams.map((t) => <option key={t} value={t}>{t}</option>)}
              <option value="-">General queue</option>
            </select>
          </label>
          {categories.length > 1 && (
            <label class="inline-label">
              <span class="sr-only">Category</span>
              <select value={category} onChange={(e) => setCategory(e.currentTarget.value)} aria-label="Category">
                <option value="">All categories</option>
                {categories.map((c) => <option key={c} value={c}>{c}</option>)}
              </select>
            </label>
          )}
          <span class="muted small" title={online.map((a) => a.name).join(', ')}>{online.length} online</span>
        </div>
        <div class="card-list" role="tabpanel">
          {shown.length === 0 && <p class="empty small">{tab === 'queue' ? 'Nobody is waiting.' : 'Nothing here.'}</p>}
          {groups.map((g) => (
            <div key={g.label} class="card-group">
              {g.label && <h3 class="group-title">{g.label} <span class="count">{g.items.length}</span></h3>}
              <ul>
                {g.items.map((c) => <CardRow key={c.id} card={c} meId={me.agent.id} agents={agents} unread={unread(c)} selected={c.id === selectedId} onSelect={onSelect} />)}
              </ul>
            </div>
          ))}
        </div>
      </>}
    </section>
  );
}

function groupByTeam(cards: Card[]): { team: string | null; label: string; items: Card[] }[] {
  const by = new Map<string | null, Card[]>();
  for (const c of cards) by.set(c.team, [...(by.get(c.team) ?? []), c]);
  return [...by.entries()].map(([team, items]) => ({ team, label: team ? `Team ${team}` : 'General queue', items }));
}
