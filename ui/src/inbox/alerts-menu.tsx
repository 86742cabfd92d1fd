import { useState } from 'preact/hooks';
import { type AlertPrefs, type Alerts, desktopBlock } from './alerts.js';

/** The top bar's switches for sound and desktop notifications, both off until turned on. */
export function AlertsMenu({ alerts }: { alerts: Alerts }) {
  const [prefs, setPrefs] = useState<AlertPrefs>(() => alerts.prefs());
  const [block, setBlock] = useState(() => desktopBlock());
  const on = [prefs.sound && 'sound', prefs.desktop && 'desktop'].filter(Boolean).join(', ');
  return (
    <details class="alerts">
      <summary>Alerts: {on || 'off'}</summary>
      <div class="alerts-panel">
        <p class="muted small">For conversations that enter the queue and new messages in yours.</p>
        <label class="check">
          <input type="checkbox" checked={prefs.sound} onChange={(e) => setPrefs(alerts.setSound(e.currentTarget.checked))} />
          Play a sound
        </label>
        <label class="check">
          <input type="checkbox" checked={prefs.desktop} disabled={block === 'unsupported'} onChange={(e) => {
            const want = e.currentTarget.checked;
            void alerts.setDesktop(want).then((p) => {
              setPrefs(p);
              setBlock(desktopBlock());
            });
          }} />
          Desktop notifications
        </label>
        {block === 'denied' && <p class="notice small" role="status">This browser blocks Baton's notifications: allow them in the site settings, then turn them on here.</p>}
        {block === 'unsupported' && <p class="muted small">This browser has no desktop notifications.</p>}
      </div>
    </details>
  );
}
