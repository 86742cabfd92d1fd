import { performance } from 'node:perf_hooks';
import { BatonError } from './errors.js';

/** How busy the event loop was since the last reading, 0 to 1. */
export type LoadProbe = () => number;

export interface PacerOptions {
  /** Above this utilization, with people waiting, routine commands are paced down. */
  high?: number;
  /** Below it the pace rises again, and ends once it is well above what routine callers ask. */
  low?: number;
  /** The slowest pace: routine work (a sweep, a timer, a bulk script) always moves. */
  minPerSecond?: number;
  /** Routine commands that may wait for their turn; one more is refused with 503 overloaded. */
  maxWaiting?: number;
  windowMs?: number;
  probe?: LoadProbe;
  now?: () => number;
}

function eventLoopProbe(): LoadProbe {
  let last = performance.eventLoopUtilization();
  return () => {
    const next = performance.eventLoopUtilization();
    const window = performance.eventLoopUtilization(next, last);
    last = next;
    return window.utilization;
  };
}

/**
 * Admission of routine commands (control calls, timers, sweeps) while commands a person waits for
 * (a customer's message, a reply) share the process. A storm of control calls otherwise takes the
 * CPU the customers' round trips need: each call is cheap, but thousands a second leave a
 * customer's message queued behind them for seconds. When the event loop is saturated and urgent
 * commands ran in the same window, routine commands get a pace (a token rate, decreased
 * multiplicatively, raised again as load falls); without urgent traffic, or with room to spare,
 * they run at once. The wait is in memory and bounded: past `maxWaiting`, a routine call is
 * refused with 503 `overloaded` and Retry-After, before anything of it is stored.
 */
export class RoutinePacer {
  private readonly high: number;
  private readonly low: number;
  private readonly minPerSecond: number;
  private readonly maxWaiting: number;
  private readonly windowMs: number;
  private readonly probe: LoadProbe;
  private readonly now: () => number;

  /** Routine commands per second; Infinity while not pacing. */
  private pace = Infinity;
  private tokens = 0;
  private refilledAt = 0;
  private readonly waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private windowStart: number;
  private urgentInWindow = 0;
  private routineInWindow = 0;

  constructor(opts: PacerOptions = {}) {
    this.high = opts.high ?? 0.92;
    this.low = opts.low ?? 0.85;
    this.minPerSecond = opts.minPerSecond ?? 20;
    this.maxWaiting = opts.maxWaiting ?? 2000;
    this.windowMs = opts.windowMs ?? 250;
    this.probe = opts.probe ?? eventLoopProbe();
    this.now = opts.now ?? (() => performance.now());
    this.windowStart = this.now();
  }

  /** The current pace (routine commands per second), or null while routine commands are not paced. */
  get perSecond(): number | null {
    return Number.isFinite(this.pace) ? this.pace : null;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** A command a person waits for is about to run. */
  urgent(): void {
    this.urgentInWindow++;
    this.adjust();
  }

  /** Resolves when a routine command may run; throws `overloaded` when too many already wait and it may be refused. */
  admit(refusable = true): Promise<void> | undefined {
    this.adjust();
    this.routineInWindow++;
    if (!Number.isFinite(this.pace)) return undefined;
    this.refill();
    if (this.waiting.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    if (refusable && this.waiting.length >= this.maxWaiting) {
      this.routineInWindow--;
      throw new BatonError('overloaded', `Baton is saturated by routine commands while customers wait; this one was not run. Retry in 1 s (${this.waiting.length} are waiting, at ${Math.round(this.pace)}/s).`, { retryAfterSeconds: 1 });
    }
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.arm();
    });
  }

  private refill(): void {
    const t = this.now();
    // A burst of a tenth of a second at most: the pace is what the CPU can spare, not a budget to save up.
    this.tokens = Math.min(Math.max(1, this.pace / 10), this.tokens + ((t - this.refilledAt) / 1000) * this.pace);
    this.refilledAt = t;
  }

  private arm(): void {
    if (this.timer || this.waiting.length === 0) return;
    const every = Number.isFinite(this.pace) ? Math.max(5, 1000 / this.pace) : 0;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.release();
    }, every);
  }

  private release(): void {
    this.adjust();
    if (!Number.isFinite(this.pace)) {
      for (const go of this.waiting.splice(0)) go();
      return;
    }
    this.refill();
    while (this.waiting.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.waiting.shift()!();
    }
    this.arm();
  }

  private adjust(): void {
    const t = this.now();
    const elapsed = t - this.windowStart;
    if (elapsed < this.windowMs) return;
    const load = this.probe();
    const asked = (this.routineInWindow * 1000) / elapsed;
    if (load > this.high && this.urgentInWindow > 0) {
      const from = Number.isFinite(this.pace) ? Math.min(this.pace, asked) : asked;
      if (!Number.isFinite(this.pace)) {
        this.tokens = 0;
        this.refilledAt = t;
      }
      this.pace = Math.max(this.minPerSecond, from * 0.7);
    } else if (load < this.low && Number.isFinite(this.pace)) {
      this.pace = this.waiting.length === 0 && this.pace >= 2 * asked ? Infinity : this.pace * 1.25 + 5;
    }
    this.windowStart = t;
    this.urgentInWindow = 0;
    this.routineInWindow = 0;
  }
}
