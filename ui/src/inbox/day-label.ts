const DAY_MS = 86_400_000;

function startOfDay(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** "Today", "Yesterday", else the date ("Monday 30 November", with the year when it is not this one), in the agent's own time zone. */
export function dayLabel(at: string, now: Date = new Date()): string {
  const d = new Date(at);
  // Rounded: a day with a daylight-saving change is 23 or 25 hours long.
  const days = Math.round((startOfDay(now) - startOfDay(d)) / DAY_MS);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return d.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long', ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}) });
}

/** Each item, and before the first of every local day, that day's label. */
export function byDay<T extends { at: string }>(items: readonly T[], now: Date = new Date()): { day: string | null; item: T }[] {
  let last = '';
  return items.map((item) => {
    const d = new Date(item.at);
    const key = `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
    const day = key === last ? null : dayLabel(item.at, now);
    last = key;
    return { day, item };
  });
}
