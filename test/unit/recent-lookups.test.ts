import { describe, expect, it } from 'vitest';
import { RecentLookups } from '../../src/core/recent-lookups.js';

describe('credentials found lately', () => {
  it('keeps what was found for the ttl, never what was not, and forgets on clear', async () => {
    let t = 0;
    let reads = 0;
    const known = new Map([['k1', 'acme']]);
    const cache = new RecentLookups<string>(1000, 2, () => t);
    const load = async (k: string) => {
      reads++;
      return known.get(k);
    };
    expect(await cache.get('k1', load)).toBe('acme');
    expect(await cache.get('k1', load)).toBe('acme');
    expect(reads).toBe(1);
    expect(await cache.get('nope', load)).toBeUndefined();
    expect(await cache.get('nope', load)).toBeUndefined();
    expect(reads).toBe(3);
    // Removed from the configuration: seen once the entry is a second old, or at once after clear.
    known.delete('k1');
    t = 1000;
    expect(await cache.get('k1', load)).toBeUndefined();
    known.set('k1', 'acme');
    expect(await cache.get('k1', load)).toBe('acme');
    known.delete('k1');
    cache.clear();
    expect(await cache.get('k1', load)).toBeUndefined();
  });
});
