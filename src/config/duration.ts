import { BatonError } from '../core/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration of baton.yaml (milliseconds, or 500ms, 30s, 10m, 2h, 1d) in milliseconds; `fallback` when absent. */
export function parseDuration(value: number | string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!m) throw new BatonError('config_invalid', `"${value}" is not a duration (use 500ms, 30s, 10m, 2h or 1d).`);
  return Number(m[1]) * UNITS[m[2]!]!;
}
