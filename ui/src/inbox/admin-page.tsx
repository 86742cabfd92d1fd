import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { elapsed } from '../shared/format.js';
import { ApiError } from '../shared/http.js';
import { ConnectionContext } from './connection.js';
import { AgentsPanel } from './agents-panel.js';
import { EmergencyDialog } from './emergency-dialog.js';
import type { DeliveryRow, InboxApi, Overview } from './inbox-api.js';
import { ReportPanel } from './report-panel.js';
import { WidgetLookPanel } from './widget-look-panel.js';

/**
 * What an operator checks when something does not arrive: components and their health (verify an
 * endpoint to bring it back), deliveries (replay the failed ones), channels with their inbound
 * addresses, and the account-wide emergency handover switch, which asks before it moves. Also
 * the agents and the web chat look that baton.yaml leaves to the inbox, and the desk's report.
 */
export function AdminPage({ api, account, teams, me, presence }: { api: InboxApi; account: string; teams: string[]; me: string; presence: { id: string; presence: string }[] }) {
  const connection = useContext(ConnectionContext);
  const mountedAt = useRef(connection.since);
  const [overview, setOverview] = useState<Overview | null>(null);
  const [deliveries, setDeliveries] = useState<DeliveryRow[]>([]);
  const [state, setState] = useState('failed');
  const [message, setMessage] = useState<{ text: string; bad: boolean; unreachable: boolean } | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);

  const load = useCallback(async () => {
    try {
      const [o, d] = await Promise.all([api.overview(), api.deliveries(state)]);
      setOverview(o);
      setDeliveries(d.items);
      setLoadFailed(false);
    } catch {
      setLoadFailed(true);
    }
  }, [api, state]);
  useEffect(() => void load(), [load]);
  // Back from an outage: read again, and an "unreachable" message is no longer true.
  useEffect(() => {
    if (connection.since === mountedAt.current) return;
    setMessage((m) => (m?.unreachable ? null : m));
    void load();
  }, [connection.since]);

  const run = async (what: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ text: await what(), bad: false, unreachable: false });
    } catch (err) {
      setMessage({ text: err instanceof ApiError ? err.message : 'That did not work.', bad: true, unreachable: err instanceof ApiError && err.status === 0 });
    } finally {
      setBusy(false);
      await load();
    }
  };

  if (!overview) {
    return (
      <main class="admin" aria-busy={loadFailed ? undefined : 'true'}>
        {loadFailed ? <div class="empty" role="alert"><p>The admin pages did not load.</p><button class="btn" type="button" onClick={() => void load()}>Try again</button></div> : <p class="empty">Loading…</p>}
      </main>
    );
  }
  const switchTo = !overview.emergency;
  return (
    <main class="admin">
      {message && <p class={message.bad ? 'form-error banner' : 'ok banner'} role="status">{message.text}</p>}
      <section class={`panel emergency ${overview.emergency ? 'on' : ''}`} aria-labelledby="em-title">
        <div>
          <h2 id="em-title">Emergency handover</h2>
          <p>{overview.emergency ? 'On: bots are disabled in every conversation; everything goes to the agents.' : 'Off: conversations follow their rules.'}</p>
        </div>
        <button class={`btn ${overview.emergency ? '' : 'btn-danger'}`} type="button" disabled={busy} aria-haspopup="dialog" onClick={() => setConfirming(true)}>{overview.emergency ? 'Switch off' : 'Switch on'}</button>
      </section>
      {confirming && (
        <EmergencyDialog on={switchTo} account={account} busy={busy} onCancel={() => setConfirming(false)} onConfirm={(handBack) => void run(async () => {
          const r = await api.emergency(switchTo, handBack);
          if (r.emergency) return `Emergency handover on; ${r.conversations} conversation(s) handed to the agents.`;
          const kept = r.keptWithAgents ? `, ${r.keptWithAgents} left with the agents` : '';
          return `Emergency handover off; ${r.handedBack ?? r.conversations} conversation(s) given back to their bots${handBack === 'tell_bots' ? '' : ' without telling them'}${kept}.`;
        }).finally(() => setConfirming(false))} />
      )}

      <section class="panel" aria-labelledby="comp-title">
        <h2 id="comp-title">Components</h2>
        <div class="table-wrap">
          <table>
            <thead><tr><th>Component</th><th>State</th><th>Failures</th><th>Last error</th><th>Backlog</th><th>Endpoint</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {overview.components.map((c) => (
                <tr key={c.id}>
                  <td><strong>{c.id}</strong><div class="muted small">{c.kind}, {c.dialect}</div></td>
                  <td><span class={`badge tone-${c.health.state === 'active' ? 'mine' : c.health.state === 'inactive' ? 'waiting' : 'muted'}`}>{c.health.state}</span></td>
                  <td>{c.health.consecutiveFailures}</td>
                  <td class="wrap">{c.health.lastError ?? '—'}{c.health.lastFailureAt && <div class="muted small">{elapsed(c.health.lastFailureAt)} ago</div>}</td>
                  <td>{c.health.backlog}{c.health.oldestPendingAgeSeconds !== null && <div class="muted small">oldest {Math.round(c.health.oldestPendingAgeSeconds / 60)} min</div>}</td>
                  <td class="wrap mono small">{c.url ?? (c.dialect === 'inbox' ? 'in Baton' : 'none')}{c.inboundUrl && <div>webhook: {c.inboundUrl}</div>}</td>
                  <td><button class="btn btn-small" type="button" disabled={busy} onClick={() => run(async () => {
                    const r = await api.verify(c.id);
                    return r.verified ? `${c.id} verified; ${r.released} held-back conversation(s) released.` : `${c.id} did not pass: ${r.reason}`;
                  })}>{c.health.state === 'active' ? 'Verify' : 'Re-verify'}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section class="panel" aria-labelledby="chan-title">
        <h2 id="chan-title">Channels</h2>
        <div class="table-wrap">
          <table>
            <thead><tr><th>Channel</th><th>Kind</th><th>State</th><th>Inbound address</th><th>Outbound</th></tr></thead>
            <tbody>
              {overview.channels.map((c) => (
                <tr key={c.id}>
                  <td><strong>{c.id}</strong><ChannelWarning warning={c.warning ?? c.reachability?.warning} /></td>
                  <td>{c.kind}</td>
                  <td>{c.active ? 'on' : 'off'}</td>
                  <td class="wrap mono small">{c.inboundUrl ? (c.kind === 'webchat' ? <a href={c.inboundUrl}>{c.inboundUrl}</a> : c.inboundUrl) : '—'}</td>
                  <td class="wrap mono small">{c.outboundUrl ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <AgentsPanel api={api} teams={teams} me={me} presence={presence} />
      <WidgetLookPanel api={api} />

      <section class="panel" aria-labelledby="del-title">
        <div class="panel-head">
          <h2 id="del-title">Deliveries</h2>
          <label class="inline-label">
            Show
            <select value={state} onChange={(e) => setState(e.currentTarget.value)}>
              <option value="failed">Failed</option>
              <option value="pending">Pending</option>
              <option value="delivered">Delivered</option>
              <option value="">All</option>
            </select>
          </label>
        </div>
        <div class="table-wrap">
          <table>
            <thead><tr><th>When</th><th>Event</th><th>To</th><th>State</th><th>Attempts</th><th>Last error</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {deliveries.length === 0 && <tr><td colSpan={7} class="muted">No {state || ''} deliveries.</td></tr>}
              {deliveries.map((d) => (
                <tr key={d.id}>
                  <td class="small">{elapsed(d.createdAt)}{elapsed(d.createdAt) === 'just now' ? '' : ' ago'}</td>
                  <td><span class="mono small">{d.eventType}</span><div class="muted small">#{d.seq} of <a href={`#/c/${encodeURIComponent(d.conversationId)}`}>{d.conversationId.slice(0, 8)}</a></div></td>
                  <td>{d.target.id}<div class="muted small">{d.target.kind}</div></td>
                  <td><span class={`badge tone-${d.state === 'delivered' ? 'mine' : d.state === 'failed' ? 'waiting' : 'muted'}`}>{d.state}</span></td>
                  <td>{d.attempts}</td>
                  <td class="wrap small">{d.lastError ?? '—'}</td>
                  <td>{d.state === 'failed' && <button class="btn btn-small" type="button" disabled={busy} onClick={() => run(async () => `Replayed ${(await api.replay(d.id)).replayed} delivery.`)}>Replay</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <ReportPanel api={api} />
    </main>
  );
}

/** What a channel reports about itself (its server could not be reached at the last check, say). */
function ChannelWarning({ warning }: { warning: unknown }) {
  if (!warning) return null;
  return <div class="warning" role="note">{typeof warning === 'string' ? warning : JSON.stringify(warning)}</div>;
}
