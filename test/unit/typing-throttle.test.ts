import { describe, expect, it } from 'vitest';
import { TypingThrottle } from '../../src/live/typing.js';

describe('TypingThrottle', () => {
  it('lets a burst of two through, then one every period, each sender on its own', () => {
    let now = 0;
    const throttle = new TypingThrottle<string>(2_000, () => now);
    expect([throttle.allows('a'), throttle.allows('a'), throttle.allows('a')]).toEqual([true, true, false]);
    expect(throttle.allows('b')).toBe(true);
    now = 1_000;
    expect(throttle.allows('a')).toBe(false);
    now = 2_000;
    expect([throttle.allows('a'), throttle.allows('a')]).toEqual([true, false]);
    now = 10_000;
    expect([throttle.allows('a'), throttle.allows('a'), throttle.allows('a')]).toEqual([true, true, false]);
  });
});
