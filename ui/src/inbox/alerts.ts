import type { Me } from './inbox-api.js';
import type { Arrival } from './queues.js';

export interface AlertPrefs {
  sound: boolean;
  desktop: boolean;
}

/** Why desktop notifications cannot be on, in words; null when they can. */
export type DesktopBlock = 'unsupported' | 'denied' | null;

/**
 * Sound and desktop notifications for what is new for the agent (a conversation entering the
 * queue, the customer writing again in one of theirs). Both are off until the agent turns them
 * on; the choice is kept in localStorage per account and agent.
 */
export class Alerts {
  private readonly key: string;
  private audio: AudioContext | null = null;

  constructor(me: Pick<Me, 'account' | 'agent'>) {
    this.key = `baton.inbox.alerts:${me.account.id}:${me.agent.id}`;
  }

  prefs(): AlertPrefs {
    try {
      const p = JSON.parse(localStorage.getItem(this.key) ?? '{}') as Partial<AlertPrefs>;
      return { sound: p.sound === true, desktop: p.desktop === true && desktopBlock() === null };
    } catch {
      return { sound: false, desktop: false };
    }
  }

  /** Called from the click that turns it on: browsers let a page play sound only after a gesture. */
  setSound(on: boolean): AlertPrefs {
    if (on) this.chime();
    return this.save({ ...this.prefs(), sound: on });
  }

  /** Asks the browser's permission first; stays off when it is refused. */
  async setDesktop(on: boolean): Promise<AlertPrefs> {
    if (on && typeof Notification !== 'undefined' && Notification.permission === 'default') await Notification.requestPermission();
    return this.save({ ...this.prefs(), desktop: on && desktopBlock() === null });
  }

  /** One sound for the lot, one notification per conversation (a newer one replaces it). */
  announce(items: readonly Arrival[], open: (id: string) => void): void {
    if (items.length === 0) return;
    const prefs = this.prefs();
    if (prefs.sound) this.chime();
    if (!prefs.desktop) return;
    for (const a of items) {
      const n = new Notification(a.title, { body: a.body, tag: `baton-${a.id}` });
      n.onclick = () => {
        window.focus();
        open(a.id);
        n.close();
      };
    }
  }

  private save(p: AlertPrefs): AlertPrefs {
    try {
      localStorage.setItem(this.key, JSON.stringify(p));
    } catch {
      // Not kept (private mode): it holds until the page closes.
    }
    return p;
  }

  /** Two short tones, made here: no sound file to fetch. */
  private chime(): void {
    if (typeof AudioContext === 'undefined') return;
    const ctx = (this.audio ??= new AudioContext());
    void ctx.resume().catch(() => {});
    const t = ctx.currentTime;
    [880, 1320].forEach((hz, i) => {
      const start = t + i * 0.14;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.32);
    });
  }
}

export function desktopBlock(): DesktopBlock {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.permission === 'denied' ? 'denied' : null;
}
