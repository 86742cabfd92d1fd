import type { Alerts } from './alerts.js';
import { AlertsMenu } from './alerts-menu.js';
import { CONNECTION, type Connection, CONNECTION_LABEL } from './connection.js';
import type { Me, Presence } from './inbox-api.js';

/**
 * Brand, pages, the connection in words, the agent's presence (which availability checks read),
 * their alerts and logout. While Baton cannot be reached the presence cannot change, and says why.
 */
export function TopBar({ me, page, connection, alerts, onPresence, onLogout, onHelp }: { me: Me; page: 'conversations' | 'admin'; connection: Connection; alerts: Alerts; onPresence: (p: Presence) => void; onLogout: () => void; onHelp: () => void }) {
  const down = connection === CONNECTION.DOWN;
  return (
    <header class="topbar">
      <div class="brand"><span class="brand-mark" aria-hidden="true">B</span> Baton <span class="brand-sub">{me.account.name}</span></div>
      <nav class="topnav" aria-label="Pages">
        <a href="#/" aria-current={page === 'conversations' ? 'page' : undefined}>Conversations</a>
        {me.agent.admin && <a href="#/admin" aria-current={page === 'admin' ? 'page' : undefined}>Admin</a>}
      </nav>
      {me.account.emergency && <span class="pill pill-danger" title="Bots are disabled for every conversation">Emergency handover on</span>}
      <div class="topbar-right">
        <span class={`connection connection-${connection}`} role="status" data-testid="connection">
          <span class="connection-dot" aria-hidden="true" />
          {CONNECTION_LABEL[connection]}
        </span>
        <label class={`presence presence-${down ? 'unknown' : me.agent.presence}`} title={down ? 'Your presence can change once Baton is reachable again' : undefined}>
          <span class="presence-dot" aria-hidden="true" />
          <span class="sr-only">Your presence</span>
          <select value={me.agent.presence} disabled={down} onChange={(e) => onPresence(e.currentTarget.value as Presence)} aria-label="Presence">
            <option value="online">{down ? 'Online (not connected)' : 'Online'}</option>
            <option value="away">{down ? 'Away (not connected)' : 'Away'}</option>
            <option value="offline">Offline</option>
          </select>
        </label>
        <AlertsMenu alerts={alerts} />
        <button class="btn btn-ghost help-button" type="button" onClick={onHelp} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">?</button>
        <span class="agent-name">{me.agent.name}</span>
        <button class="btn btn-ghost" type="button" onClick={onLogout}>Log out</button>
      </div>
    </header>
  );
}
