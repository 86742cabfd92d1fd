import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatonError } from '../../src/core/errors.js';
import { RoutinePacer } from '../../src/core/routine-pacer.js';

/** A pacer on fake time, whose event loop is as busy as `load` says. */
function pacerAt(load: { value: number }, opts: { maxWaiting?: number } = {}) {
  vi.useFakeTimers();
  let t = 0;
  const pacer = new RoutinePacer({ probe: () => load.value, now: () => t, windowMs: 250, minPerSecond: 20, ...opts });
  const advance = async (ms: number) => {
    t += ms;
    await vi.advanceTimersByTimeAsync(ms);
  };
  return { pacer, advance };
}

/** Routine calls asked at `perSecond` for `ms`, with urgent ones beside them; how many got to run. */
async function ask(p: ReturnType<typeof pacerAt>, perSecond: number, ms: number, admitted: { n: number }, refusable = true): Promise<void> {
  const step = 1000 / perSecond;
  for (let elapsed = 0; elapsed < ms; elapsed += step) {
    p.pacer.urgent();
    const turn = p.pacer.admit(refusable);
    if (turn) void turn.then(() => admitted.n++);
    else admitted.n++;
    await p.advance(step);
  }
}

describe('routine commands under overload', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs routine commands at once while the process has room, however many there are', async () => {
    const load = { value: 0.5 };
    const p = pacerAt(load);
    const admitted = { n: 0 };
    await ask(p, 1000, 1000, admitted);
    expect(p.pacer.perSecond).toBeNull();
    expect(admitted.n).toBe(1000);
  });

  it('paces them down while the loop is saturated and people wait, and lets them run freely again once it is not', async () => {
    const load = { value: 0.97 };
    const p = pacerAt(load);
    const admitted = { n: 0 };
    await ask(p, 1000, 2000, admitted);
    const pace = p.pacer.perSecond;
    expect(pace).not.toBeNull();
    expect(pace!).toBeLessThan(200);
    expect(pace!).toBeGreaterThanOrEqual(20);
    // Two seconds asked at 1,000/s: far fewer ran than were asked, the rest wait their turn.
    expect(admitted.n).toBeLessThan(1000);
    expect(p.pacer.queued).toBeGreaterThan(0);

    load.value = 0.3;
    await ask(p, 10, 10_000, admitted);
    expect(p.pacer.queued).toBe(0);
    expect(p.pacer.perSecond).toBeNull();
    // Nothing is dropped: every call that waited ran.
    expect(admitted.n).toBe(2000 + 100);
  });

  it('does not pace a saturated process when no one waits: a storm of control calls alone may use it all', async () => {
    const load = { value: 0.99 };
    const p = pacerAt(load);
    let ran = 0;
    for (let i = 0; i < 2000; i++) {
      const turn = p.pacer.admit();
      if (!turn) ran++;
      await p.advance(1);
    }
    expect(ran).toBe(2000);
    expect(p.pacer.perSecond).toBeNull();
  });

  it('refuses a routine call with overloaded and Retry-After once too many wait, and never refuses Baton\'s own work', async () => {
    const load = { value: 0.99 };
    const p = pacerAt(load, { maxWaiting: 50 });
    const admitted = { n: 0 };
    await ask(p, 1000, 1000, admitted, false);
    expect(p.pacer.queued).toBeGreaterThan(50);
    p.pacer.urgent();
    let refused: unknown;
    try {
      p.pacer.admit(true);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(BatonError);
    expect(refused).toMatchObject({ code: 'overloaded', details: { retryAfterSeconds: 1 } });
    // Baton's own routine work (timers, a sweep) waits instead.
    expect(p.pacer.admit(false)).toBeInstanceOf(Promise);
  });
});
