import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../shared/http.js';
import type { AdminAgent, InboxApi } from './inbox-api.js';

const MIN_PASSWORD = 8;

type Note = { text: string; bad: boolean } | null;

/**
 * The account's agents: those baton.yaml names ("set in baton.yaml", changed in the file) and
 * those added here, which this panel can remove. Passwords can be reset here unless the file sets
 * them; a reset ends the agent's logins. Passwords are sent once and never shown back.
 */
export function AgentsPanel({ api, teams, me, presence }: { api: InboxApi; teams: string[]; me: string; presence: { id: string; presence: string }[] }) {
  // Presence moves all day: the desk's live list says it, this panel's own list says the rest.
  const live = new Map(presence.map((p) => [p.id, p.presence]));
  const [agents, setAgents] = useState<AdminAgent[] | null>(null);
  const [note, setNote] = useState<Note>(null);
  const [busy, setBusy] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setAgents((await api.adminAgents()).items);
    } catch (err) {
      setNote({ text: err instanceof ApiError ? err.message : 'The agents did not load.', bad: true });
    }
  }, [api]);
  useEffect(() => void load(), [load]);

  const run = async (what: () => Promise<string>): Promise<boolean> => {
    setBusy(true);
    setNote(null);
    try {
      setNote({ text: await what(), bad: false });
      return true;
    } catch (err) {
      setNote({ text: err instanceof ApiError ? err.message : 'That did not work.', bad: true });
      return false;
    } finally {
      setBusy(false);
      await load();
    }
  };

  return (
    <section class="panel" aria-labelledby="agents-title">
      <h2 id="agents-title">Agents</h2>
      <p class="muted small">Agents named in baton.yaml are changed in the file. Agents added here are kept in Baton's database; applying baton.yaml leaves them alone, unless the file names the same id, which then takes the agent over.</p>
      {note && <p class={note.bad ? 'form-error' : 'ok'} role="status" data-testid="agents-note">{note.text}</p>}
      <div class="table-wrap">
        <table>
          <thead><tr><th>Agent</th><th>Teams</th><th>Admin</th><th>Managed by</th><th>Presence</th><th><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {agents === null && <tr><td colSpan={6} class="muted">Loading…</td></tr>}
            {agents?.map((a) => (
              <tr key={a.id} data-agent={a.id}>
                <td><strong>{a.name}</strong><div class="muted small mono">{a.id}</div></td>
                <td>{a.teams.join(', ') || '—'}</td>
                <td>{a.admin ? 'yes' : 'no'}</td>
                <td>{a.managedBy === 'config' ? <span class="badge tone-muted">set in baton.yaml</span> : <span class="badge tone-mine">inbox</span>}{a.passwordFrom === null && <div class="muted small">no password yet</div>}</td>
                <td>{live.get(a.id) ?? a.presence}</td>
                <td><div class="row-actions">
                  {resetting === a.id ? (
                    <PasswordForm busy={busy} onCancel={() => setResetting(null)} onSave={(password) => void run(async () => {
                      await api.resetPassword(a.id, password);
                      setResetting(null);
                      return `New password set for ${a.id}; their open sessions have ended.`;
                    })} />
                  ) : removing === a.id ? (
                    <span class="confirm-inline">
                      Remove {a.id}?{' '}
                      <button class="btn btn-small btn-danger" type="button" disabled={busy} onClick={() => void run(async () => {
                        await api.removeAgent(a.id);
                        setRemoving(null);
                        return `${a.id} removed; they can no longer log in.`;
                      })}>Remove</button>{' '}
                      <button class="btn btn-small" type="button" onClick={() => setRemoving(null)}>Cancel</button>
                    </span>
                  ) : (
                    <>
                      {a.passwordResettable
                        ? <button class="btn btn-small" type="button" disabled={busy} onClick={() => setResetting(a.id)}>Reset password</button>
                        : <span class="muted small" title="The password is set in baton.yaml">password in baton.yaml</span>}
                      {a.managedBy === 'inbox' && a.id !== me && <button class="btn btn-small btn-danger-quiet" type="button" disabled={busy} onClick={() => setRemoving(a.id)}>Remove</button>}
                    </>
                  )}
                </div></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <AddAgentForm teams={teams} busy={busy} onAdd={(body) => run(async () => `${(await api.addAgent(body)).agent.id} added; they can log in now.`)} />
    </section>
  );
}

function PasswordForm({ busy, onSave, onCancel }: { busy: boolean; onSave: (password: string) => void; onCancel: () => void }) {
  const [password, setPassword] = useState('');
  return (
    <form class="inline-form" onSubmit={(e) => {
      e.preventDefault();
      onSave(password);
    }}>
      <label class="inline-label">New password <input type="password" autocomplete="new-password" minLength={MIN_PASSWORD} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
      <button class="btn btn-small btn-primary" type="submit" disabled={busy || password.length < MIN_PASSWORD}>Save</button>
      <button class="btn btn-small" type="button" onClick={onCancel}>Cancel</button>
    </form>
  );
}

function AddAgentForm({ teams, busy, onAdd }: { teams: string[]; busy: boolean; onAdd: (body: { id: string; name?: string; teams?: string[]; admin?: boolean; password: string }) => Promise<boolean> }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [admin, setAdmin] = useState(false);
  const [password, setPassword] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await onAdd({ id: id.trim(), ...(name.trim() ? { name: name.trim() } : {}), ...(chosen.length ? { teams: chosen } : {}), ...(admin ? { admin: true } : {}), password });
    if (ok) {
      setId('');
      setName('');
      setChosen([]);
      setAdmin(false);
      setPassword('');
    }
  };
  return (
    <form class="add-agent" onSubmit={(e) => void submit(e)} aria-labelledby="add-agent-title">
      <h3 id="add-agent-title">Add an agent</h3>
      <label>Login id <input name="agent-id" required pattern="\S+" maxLength={200} value={id} onInput={(e) => setId(e.currentTarget.value)} /></label>
      <label>Name <input name="agent-name" maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      {teams.length > 0 && (
        <fieldset>
          <legend>Teams</legend>
          {teams.map((t) => (
            <label key={t} class="check"><input type="checkbox" checked={chosen.includes(t)} onChange={(e) => setChosen((c) => (e.currentTarget.checked ? [...c, t] : c.filter((x) => x !== t)))} /> {t}</label>
          ))}
        </fieldset>
      )}
      <label class="check"><input name="agent-admin" type="checkbox" checked={admin} onChange={(e) => setAdmin(e.currentTarget.checked)} /> Admin (may use these pages)</label>
      <label>First password <input name="agent-password" type="password" autocomplete="new-password" required minLength={MIN_PASSWORD} value={password} onInput={(e) => setPassword(e.currentTarget.value)} /><span class="muted small">At least {MIN_PASSWORD} characters. Tell it to the agent; it is not shown again.</span></label>
      <div><button class="btn btn-primary" type="submit" disabled={busy || !id.trim() || password.length < MIN_PASSWORD}>Add agent</button></div>
    </form>
  );
}
