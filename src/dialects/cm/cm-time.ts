/**
 * CM's `timeUtc`: the .NET round-trip format, seven fractional digits and an explicit offset
 * (seed 002: "2020-09-16T08:23:32.8981621+00:00"). Baton keeps milliseconds, so the last four
 * digits are zeros.
 */
export function cmTimeUtc(at: Date | string): string {
  const iso = (typeof at === 'string' ? new Date(at) : at).toISOString();
  return `${iso.slice(0, 23)}0000+00:00`;
}
