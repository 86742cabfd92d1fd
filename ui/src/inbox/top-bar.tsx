import type { Me, Presence } from './inbox-api.js';

/** Brand, pages, the agent's presence (which availability checks read) and logout. */
export function TopBar({ me, page, connected, onPresence, onLogout }: { me: Me; page: 'conversations' | 'admin'; connected: boolean; onPresence: (p: Presence) => void; onLogout: () => void }) {
  return (
    <header class="topbar">
      <div class="brand"><span class="brand-mark" aria-hidden="true">B</span> Baton <span class="brand-sub">{me.account.name}</span></div>
      <nav class="topnav" aria-label="Pages">
        <a href="#/" aria-current={page === 'conversations' ? 'page' : undefined}>Conversations</a>
        {me.agent.admin && <a href="#/admin" aria-current={page === 'admin' ? 'page' : undefined}>Admin</a>}
      </nav>
      {me.account.emergency && <span class="pill pill-danger" title="Bots are disabled for every conversation">Emergency handover on</span>}
      <div class="topbar-right">
        <span class={`live-dot ${connected ? 'on' : ''}`} title={connected ? 'Live updates on' : 'Reconnecting…'} aria-label={connected ? 'Live updates on' : 'Reconnecting'} role="status" />
        <label class={`presence presence-${me.agent.presence}`}>
          <span class="presence-dot" aria-hidden="true" />
          <span class="sr-only">Your presence</span>
          <select value={me.agent.presence} onChange={(e) => onPresence(e.currentTarget.value as Presence)} aria-label="Presence">
            <option value="online">Online</option>
            <option value="away">Away</option>
            <option value="offline">Offline</option>
          </select>
        </label>
        <span class="agent-name">{me.agent.name}</span>
        <button class="btn btn-ghost" type="button" onClick={onLogout}>Log out</button>
      </div>
    </header>
  );
}
