import type { Team } from './model.js';

/**
 * Picks the team whose configured values contain one of the context's values, compared exactly
 * (CM seed: "the EXACT SAME values are configured against teams"). No match: the general queue.
 */
export function resolveTeam(context: Record<string, unknown>, teams: readonly Team[]): string | null {
  const values = new Set(Object.values(context).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String));
  if (values.size === 0) return null;
  for (const team of teams) {
    if (team.values.some((v) => values.has(v))) return team.id;
  }
  return null;
}
