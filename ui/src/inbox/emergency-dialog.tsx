import { useEffect, useRef, useState } from 'preact/hooks';
import type { HandBack } from './inbox-api.js';

/** The choices of switching off, each with what the customers will see; the first is Baton's default. */
const CHOICES: { value: HandBack; label: string; effect: string }[] = [
  { value: 'tell_bots', label: 'Hand back and tell the bots', effect: 'Every one goes back to its bot, even one an agent is answering; each bot is told and may write to its customer (the demo bot greets them again).' },
  { value: 'quietly', label: 'Hand back quietly', effect: 'Those still waiting go back to their bot, which says nothing until the customer writes again; those an agent took stay with that agent.' },
  { value: 'keep_with_agents', label: 'Leave them with the agents', effect: 'Customers notice nothing: each stays in the queue or with its agent, who hands it back or closes it when done.' },
];

/**
 * Asks before the emergency switch moves, saying what it does to the account's conversations.
 * Switching off asks what becomes of the conversations the switch handed to the agents, because a
 * bot told of its handback may greet every one of those customers at once.
 */
export function EmergencyDialog({ on, account, busy, onConfirm, onCancel }: { on: boolean; account: string; busy: boolean; onConfirm: (handBack?: HandBack) => void; onCancel: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [handBack, setHandBack] = useState<HandBack>('tell_bots');
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={dialog} class="confirm" aria-labelledby="em-confirm-title" aria-describedby="em-confirm-text" onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); onConfirm(on ? undefined : handBack); }}>
        <h2 id="em-confirm-title">{on ? 'Switch emergency handover on?' : 'Switch emergency handover off?'}</h2>
        {on ? (
          <div id="em-confirm-text">
            <p>Bots stop answering in every conversation of {account}. Open conversations with a bot go to the agents' queue now, and new ones go straight to the agents.</p>
            <p>Make sure agents are online to take them.</p>
          </div>
        ) : (
          <>
            <p id="em-confirm-text">Bots answer new conversations again. Choose what becomes of the conversations the switch handed to the agents.</p>
            <fieldset class="choices">
              <legend class="sr-only">The conversations the switch handed to the agents</legend>
              {CHOICES.map((c) => (
                <label key={c.value} class="choice">
                  <input type="radio" name="handBack" value={c.value} checked={handBack === c.value} onChange={() => setHandBack(c.value)} aria-labelledby={`em-${c.value}-label`} aria-describedby={`em-${c.value}-effect`} />
                  <span><strong id={`em-${c.value}-label`}>{c.label}</strong><span id={`em-${c.value}-effect`} class="choice-effect">{c.effect}</span></span>
                </label>
              ))}
            </fieldset>
          </>
        )}
        <div class="confirm-actions">
          <button class="btn" type="button" onClick={onCancel} autofocus>Cancel</button>
          <button class={`btn ${on ? 'btn-danger' : 'btn-primary'}`} type="submit" disabled={busy}>{on ? 'Switch on' : 'Switch off'}</button>
        </div>
      </form>
    </dialog>
  );
}
