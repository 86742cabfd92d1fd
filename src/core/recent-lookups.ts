/**
 * Answers found lately, kept for `ttlMs`: credentials are looked up on every request, and change
 * only when a configuration is applied. Only what was found is kept (an unknown credential is
 * always asked again), the newest `capacity` entries at most.
 */
export class RecentLookups<V> {
  private readonly entries = new Map<string, { at: number; value: V }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  async get(key: string, load: (key: string) => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = await load(key);
    if (value === undefined) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, { at: this.now(), value });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
