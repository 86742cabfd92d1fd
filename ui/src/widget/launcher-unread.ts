/**
 * The launcher's count of answers that came while the chat was closed, and a soft beep with each.
 * The beep is for a visitor who has used the page (browsers refuse sound before that anyway), only
 * while the page is in view, never with `data-sound="off"`, and a browser without WebAudio (or one
 * that refuses it) just stays silent.
 */
export interface LauncherUnread {
  /** An answer came (its id, so a repeat of the same one is not counted twice). */
  arrived(id: string, chatOpen: boolean): void;
  /** The visitor opened the chat: everything in it is in sight. */
  clear(): void;
}

export function launcherUnread(button: HTMLButtonElement, opts: { sound: boolean; closedLabel: string }): LauncherUnread {
  const badge = document.createElement('span');
  badge.setAttribute('data-baton-unread', '');
  // The button's own label carries the count for screen readers; the badge is the picture of it.
  badge.setAttribute('aria-hidden', 'true');
  Object.assign(badge.style, {
    position: 'absolute', top: '-6px', right: '-6px', minWidth: '22px', height: '22px', padding: '0 6px', boxSizing: 'border-box',
    borderRadius: '11px', background: '#b91c1c', color: '#fff', font: '700 12px/22px system-ui, sans-serif', textAlign: 'center',
    border: '2px solid #fff', display: 'none',
  });
  button.appendChild(badge);
  const counted = new Set<string>();
  let count = 0;
  let usedHere = false;
  const used = () => {
    usedHere = true;
  };
  document.addEventListener('pointerdown', used, { capture: true, once: true, passive: true });
  document.addEventListener('keydown', used, { capture: true, once: true, passive: true });
  let audio: AudioContext | null = null;

  const beep = () => {
    const activation = (navigator as Navigator & { userActivation?: { hasBeenActive: boolean } }).userActivation;
    if (!opts.sound || !(usedHere || activation?.hasBeenActive) || document.visibilityState !== 'visible') return;
    try {
      const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
      if (!Ctx) return;
      audio ??= new Ctx();
      if (audio.state === 'suspended') void audio.resume().catch(() => {});
      const t = audio.currentTime;
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = 'sine';
      tone.frequency.setValueAtTime(880, t);
      tone.frequency.exponentialRampToValueAtTime(660, t + 0.18);
      // Soft: a quick rise to a low volume and a fade, a quarter of a second in all.
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.06, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.25);
      tone.connect(gain).connect(audio.destination);
      tone.start(t);
      tone.stop(t + 0.3);
    } catch {
      // no sound is fine
    }
  };

  const render = () => {
    badge.textContent = count > 9 ? '9+' : String(count);
    badge.style.display = count > 0 ? 'block' : 'none';
    if (count > 0) {
      const words = `${count} unread message${count === 1 ? '' : 's'}`;
      button.setAttribute('aria-label', `${opts.closedLabel}, ${words}`);
      badge.title = words;
    }
  };

  return {
    arrived(id, chatOpen) {
      if (chatOpen || counted.has(id)) return;
      counted.add(id);
      count++;
      render();
      beep();
    },
    clear() {
      count = 0;
      render();
    },
  };
}
