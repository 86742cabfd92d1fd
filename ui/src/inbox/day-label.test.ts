import { describe, expect, it } from 'vitest';
import { byDay, dayLabel } from './day-label.js';

const local = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).toISOString();

describe('day labels of the timeline', () => {
  const now = new Date(2026, 11, 2, 9, 30);
  it('says Today, Yesterday, then the date, with the year only when it is another one', () => {
    expect(dayLabel(local(2026, 12, 2, 0), now)).toBe('Today');
    expect(dayLabel(local(2026, 12, 1, 23), now)).toBe('Yesterday');
    expect(dayLabel(local(2026, 12, 1, 0), now)).toBe('Yesterday');
    expect(dayLabel(local(2026, 11, 30), now)).toBe(new Date(2026, 10, 30).toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long' }));
    expect(dayLabel(local(2025, 12, 31), now)).toContain('2025');
  });

  it('puts a label before the first item of each day only', () => {
    const items = [local(2026, 11, 30, 10), local(2026, 11, 30, 18), local(2026, 12, 1, 8), local(2026, 12, 2, 1), local(2026, 12, 2, 9)].map((at) => ({ at }));
    expect(byDay(items, now).map((x) => x.day)).toEqual([dayLabel(items[0]!.at, now), null, 'Yesterday', 'Today', null]);
  });
});
