import { useEffect } from 'preact/hooks';

/** The inbox's keys, as the help lists them; each does what the button marked `data-shortcut` does. */
export const SHORTCUTS: readonly { keys: readonly string[]; what: string }[] = [
  { keys: ['j', '↓'], what: 'Next conversation in the list' },
  { keys: ['k', '↑'], what: 'Previous conversation in the list' },
  { keys: ['t'], what: 'Take the conversation (or take over from the bot), then write the reply' },
  { keys: ['c'], what: 'Close the conversation' },
  { keys: ['r'], what: 'Write a reply' },
  { keys: ['/'], what: 'Search conversations' },
  { keys: ['?'], what: 'Show these shortcuts' },
  { keys: ['Esc'], what: 'Leave the search box, close this list' },
];

/** Where the agent types: keys there are text, never commands. */
export function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

/** The element a shortcut stands for, if the page shows it and it may be used now. */
function marked(name: string): HTMLElement | null {
  const el = document.querySelector<HTMLElement>(`[data-shortcut="${name}"]`);
  return el && !(el as HTMLButtonElement).disabled ? el : null;
}

/** Opens the next (+1) or previous (-1) conversation of the list on screen (a queue tab or the search results). */
function move(step: 1 | -1): void {
  const cards = [...document.querySelectorAll<HTMLButtonElement>('.queues [data-conversation]')];
  if (cards.length === 0) return;
  const at = cards.findIndex((c) => c.getAttribute('aria-current') === 'true');
  const to = cards[at < 0 ? (step > 0 ? 0 : cards.length - 1) : Math.min(cards.length - 1, Math.max(0, at + step))]!;
  to.scrollIntoView({ block: 'nearest' });
  to.click();
}

/**
 * The inbox's keyboard: shortcuts act through the same buttons a mouse would use (so a key does
 * nothing the page does not offer at that moment), and never while the agent is typing in a box,
 * holds a modifier key, or has a dialog open.
 */
export function useShortcuts(enabled: boolean, onHelp: () => void): void {
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (isTyping(e.target) || document.querySelector('dialog[open]')) return;
      const act = (): boolean => {
        switch (e.key) {
          case 'j': case 'ArrowDown': move(1); return true;
          case 'k': case 'ArrowUp': move(-1); return true;
          case 't': marked('take')?.click(); return true;
          case 'c': marked('close')?.click(); return true;
          case 'r': marked('reply')?.focus(); return true;
          case '/': marked('search')?.focus(); return true;
          case '?': onHelp(); return true;
          default: return false;
        }
      };
      if (act()) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enabled, onHelp]);
}
