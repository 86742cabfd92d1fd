/**
 * IMI timestamps: `YYYY-MM-DD hh:mm:ss.SS` in GMT (seeds 000/001: "Timestamp : "YYYY-MM-DD
 * hh:mm:ss.SS", //S in GMT"), two fractional digits: hundredths of a second.
 */
export function imiTimestamp(at: Date | string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(Math.floor(d.getUTCMilliseconds() / 10))}`;
}
