import { useEffect, useRef } from 'preact/hooks';
import { SHORTCUTS } from './shortcuts.js';

/** The list of keyboard shortcuts (`?`); Escape or the button closes it. */
export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={dialog} class="confirm shortcut-help" aria-labelledby="shortcuts-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <p class="muted small">They work whenever you are not typing in a box.</p>
      <dl class="shortcut-list">
        {SHORTCUTS.map((s) => (
          <div key={s.what}>
            <dt>{s.keys.map((k, i) => <span key={k}>{i > 0 && ' or '}<kbd>{k}</kbd></span>)}</dt>
            <dd>{s.what}</dd>
          </div>
        ))}
      </dl>
      <div class="confirm-actions">
        <button class="btn btn-primary" type="button" onClick={onClose} autofocus>Close</button>
      </div>
    </dialog>
  );
}
