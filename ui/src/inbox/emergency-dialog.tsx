import { useEffect, useRef } from 'preact/hooks';

/**
 * Asks before the emergency switch moves, saying what it does to the account's conversations.
 * Switching off gives each conversation the switch handed to the agents back to its bot, and
 * every such bot is told (a `handback` with reason `emergency_ended`): a bot that greets on a
 * handback, as the demo bot does, writes to each of those customers. Baton's emergency call
 * takes only `on`, so the page can warn about it but not prevent it.
 */
export function EmergencyDialog({ on, account, busy, onConfirm, onCancel }: { on: boolean; account: string; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={dialog} class="confirm" aria-labelledby="em-confirm-title" aria-describedby="em-confirm-text" onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); onConfirm(); }}>
        <h2 id="em-confirm-title">{on ? 'Switch emergency handover on?' : 'Switch emergency handover off?'}</h2>
        {on ? (
          <div id="em-confirm-text">
            <p>Bots stop answering in every conversation of {account}. Open conversations with a bot go to the agents' queue now, and new ones go straight to the agents.</p>
            <p>Make sure agents are online to take them.</p>
          </div>
        ) : (
          <div id="em-confirm-text">
            <p>Every conversation the switch handed to the agents goes back to its bot, even one an agent is answering right now.</p>
            <p><strong>Each of those bots is told, and may write to its customer</strong> (the demo bot greets them again). Baton cannot yet hand them back silently.</p>
          </div>
        )}
        <div class="confirm-actions">
          <button class="btn" type="button" onClick={onCancel} autofocus>Cancel</button>
          <button class={`btn ${on ? 'btn-danger' : 'btn-primary'}`} type="submit" disabled={busy}>{on ? 'Switch on' : 'Switch off and hand back'}</button>
        </div>
      </form>
    </dialog>
  );
}
