/**
 * What the store asked of its database since start: statements executed and transactions
 * committed. A message's cost in statements and commits is steadier than throughput on a shared
 * machine, so `/metrics` reports both and the benchmark divides them by the work done.
 */
export class SqlCounters {
  statements = 0;
  commits = 0;

  /** Counts one statement; `commit` is counted as a commit as well. */
  count(sqlText: string): void {
    this.statements++;
    if (sqlText.length === 6 && sqlText.toLowerCase() === 'commit') this.commits++;
  }
}
