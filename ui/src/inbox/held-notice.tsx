import { ago } from '../shared/format.js';

/**
 * In a conversation another agent holds, this stands where the reply box was: who took it and
 * when. `raced`: this agent's own take just lost to theirs, so it is said as an alert. Replying
 * anyway is possible (Baton lets any agent of the account answer) but takes a click and a warning.
 */
export function HeldNotice({ name, since, raced, onReplyAnyway }: { name: string; since: string | null; raced: boolean; onReplyAnyway: () => void }) {
  return (
    <div class="held" role={raced ? 'alert' : 'status'} data-testid="held-notice">
      <p><strong>Taken by {name}{since ? ` ${ago(since)}` : ''}.</strong> {raced ? 'They took it just before you. ' : ''}{name} is answering; reassign it to take it over.</p>
      <button class="btn" type="button" onClick={onReplyAnyway}>Reply anyway</button>
    </div>
  );
}
