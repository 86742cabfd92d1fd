import { describe, expect, it } from 'vitest';
import { duration } from './format.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

describe('durations of the report', () => {
  it('says seconds under a minute, and minutes with seconds under ten minutes', () => {
    expect(duration(0)).toBe('0 s');
    expect(duration(400)).toBe('0 s');
    expect(duration(40 * S)).toBe('40 s');
    expect(duration(59.4 * S)).toBe('59 s');
    expect(duration(59.6 * S)).toBe('1 min');
    expect(duration(2 * MIN)).toBe('2 min');
    expect(duration(2 * MIN + 30 * S)).toBe('2 min 30 s');
    expect(duration(9 * MIN + 59 * S)).toBe('9 min 59 s');
  });

  it('rounds to the minute from ten minutes, then says hours and days', () => {
    expect(duration(10 * MIN)).toBe('10 min');
    expect(duration(25 * MIN + 20 * S)).toBe('25 min');
    expect(duration(59 * MIN + 40 * S)).toBe('1 h');
    expect(duration(H + 5 * MIN)).toBe('1 h 5 min');
    expect(duration(23 * H + 59 * MIN)).toBe('23 h 59 min');
    expect(duration(24 * H)).toBe('1 d');
    expect(duration(51 * H + 10 * MIN)).toBe('2 d 3 h');
  });

  it('says a dash when there is nothing to measure, and never a negative time', () => {
    expect(duration(null)).toBe('—');
    expect(duration(Number.NaN)).toBe('—');
    expect(duration(-5 * S)).toBe('0 s');
  });
});
