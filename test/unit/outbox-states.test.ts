import { describe, expect, it } from 'vitest';
import { decideFailure } from '../../src/delivery/outbox-states.js';

describe('what a failed attempt leads to', () => {
  const base = { disable: false, breakAfter: 5, failures: 1, nextDelayMs: 60_000, onExhausted: 'skip' as const };

  it('retries on the schedule while the circuit holds', () => {
    expect(decideFailure(base)).toEqual({ kind: 'retry', delayMs: 60_000 });
  });

  it('breaks the circuit at breakAfter consecutive failures, or at once on a 410, even with retries left', () => {
    expect(decideFailure({ ...base, failures: 5 })).toEqual({ kind: 'break' });
    expect(decideFailure({ ...base, disable: true })).toEqual({ kind: 'break' });
    expect(decideFailure({ ...base, breakAfter: 0, failures: 1000 })).toEqual({ kind: 'retry', delayMs: 60_000 });
  });

  it('skips or blocks when the retries ran out, as the recipient says', () => {
    expect(decideFailure({ ...base, nextDelayMs: null })).toEqual({ kind: 'skip' });
    expect(decideFailure({ ...base, nextDelayMs: null, onExhausted: 'block' })).toEqual({ kind: 'block' });
  });
});
