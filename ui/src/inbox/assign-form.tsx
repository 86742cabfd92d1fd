import { useState } from 'preact/hooks';
import type { AgentRow } from './inbox-api.js';

/**
 * Gives the conversation to a named agent. Taking it from whoever holds it is what this form is
 * for, so its button says so ("Reassign from Sam"); a plain take never does (409).
 */
export function AssignForm({ agents, holder, busy, onSubmit, onCancel }: { agents: AgentRow[]; holder: { id: string; name: string } | null; busy: boolean; onSubmit: (agentId: string) => void; onCancel: () => void }) {
  const choices = agents.filter((a) => a.id !== holder?.id);
  const [agentId, setAgentId] = useState(choices[0]?.id ?? '');
  return (
    <form class="inline-form" aria-label="Assign the conversation" onSubmit={(e) => { e.preventDefault(); if (agentId) onSubmit(agentId); }}>
      <label class="inline-label">
        Assign to
        <select value={agentId} onChange={(e) => setAgentId(e.currentTarget.value)} autofocus>
          {choices.map((a) => <option key={a.id} value={a.id}>{a.name} ({a.presence})</option>)}
        </select>
      </label>
      <button class="btn btn-primary" type="submit" disabled={busy || !agentId}>{holder ? `Reassign from ${holder.name}` : 'Assign'}</button>
      <button class="btn btn-ghost" type="button" onClick={onCancel}>Cancel</button>
      {choices.length === 0 && <span class="muted small">No other agent in this account.</span>}
    </form>
  );
}
