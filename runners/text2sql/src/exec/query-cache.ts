import { bytesOf, isDeterministic, isStable, type ResultCacheStats } from './cacheable';
import type { ExecOutcome } from './types';

interface Entry {
  group: Map<string, Entry>;
  sql: string;
  outcome: ExecOutcome;
  bytes: number;
}

/** What a worker tells the parent about its use of the cache while it scored an example. */
export interface QueryCounts extends ResultCacheStats {
  /** queries it ran */
  executions: number;
}

/**
 * A SQL worker's results, by query: the same rules as the parent's ResultCache (volatile queries
 * are never kept, nor timeouts, crashes and memory exhaustion; at most `maxBytes` of results,
 * oldest first out), synchronous, for the examples it scores (see score-job.ts). A `group` is
 * what the SQL text runs against: dataset version, database and caps.
 */
export class QueryCache {
  private readonly groups = new Map<string, Map<string, Entry>>();
  /** least recently used first */
  private readonly order = new Set<Entry>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  get(group: string, sql: string, run: () => ExecOutcome, counts: QueryCounts): ExecOutcome {
    let entries = this.groups.get(group);
    const found = entries?.get(sql);
    if (found) {
      counts.hits++;
      this.order.delete(found);
      this.order.add(found);
      return found.outcome;
    }
    counts.executions++;
    if (!isDeterministic(sql)) {
      counts.volatile++;
      return run();
    }
    counts.misses++;
    const outcome = run();
    if (!isStable(outcome)) return outcome;
    if (!entries) {
      entries = new Map();
      this.groups.set(group, entries);
    }
    const entry = { group: entries, sql, outcome, bytes: bytesOf(outcome) };
    entries.set(sql, entry);
    this.order.add(entry);
    this.bytes += entry.bytes;
    for (const old of this.order) {
      if (this.bytes <= this.maxBytes) break;
      this.order.delete(old);
      old.group.delete(old.sql);
      this.bytes -= old.bytes;
    }
    return outcome;
  }
}
