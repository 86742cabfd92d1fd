/** Latency figures in ms, over what completed. */
export interface Latencies {
  p50: number;
  p99: number;
  max: number;
}

export function latencies(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
  return { p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? 0 };
}

/** The bench targets loopback only (the load is never aimed anywhere else). */
export function assertLoopback(url: string): string {
  const origin = new URL(url).origin;
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(origin)) throw new Error(`bench targets loopback only, not ${origin}`);
  return origin;
}
