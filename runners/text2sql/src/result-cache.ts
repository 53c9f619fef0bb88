import { bytesOf, isDeterministic, isStable, type ResultCacheStats, type ResultCaps } from './exec/cacheable';
import { DEFAULT_MAX_RESULT_BYTES, type ExecOutcome } from './exec/index';

export { isDeterministic, type ResultCacheStats, type ResultCaps };

/** What the cache holds in all, by default: four results at the per-result cap, or a dev set's golds. */
export const DEFAULT_CACHE_BYTES = 4 * DEFAULT_MAX_RESULT_BYTES;

/**
 * Results of read-only SQL on one immutable dataset version, keyed by (dataset content hash, db,
 * SQL, caps). A query's result on a content-addressed database file is a pure function of those,
 * so gold and predicted queries share it: each gold query runs once however many systems are
 * evaluated, a prediction identical to the gold (or to another system's) is not run again, and
 * re-scoring a submission re-runs nothing that cannot have changed. Queries using the clock or
 * randomness bypass it; timeouts, crashes and memory exhaustion are never kept (they run again
 * next time). Bounded by the bytes of the results held (see exec/limits.ts), oldest first out.
 */
export class ResultCache {
  private readonly map = new Map<string, { outcome: Promise<ExecOutcome>; bytes: number }>();
  private bytes = 0;
  readonly stats: ResultCacheStats = { hits: 0, misses: 0, volatile: 0 };

  constructor(
    readonly datasetHash: string,
    private readonly maxBytes = DEFAULT_CACHE_BYTES,
  ) {}

  get(dbId: string, sql: string, caps: ResultCaps, run: () => Promise<ExecOutcome>): Promise<ExecOutcome> {
    const key = `${this.datasetHash}\u0000${dbId}\u0000${caps.maxRows}\u0000${caps.maxBytes}\u0000${sql}`;
    const found = this.map.get(key);
    if (!found && !isDeterministic(sql)) {
      this.stats.volatile++;
      return run();
    }
    if (found) {
      this.stats.hits++;
      // most recently used last
      this.map.delete(key);
      this.map.set(key, found);
      return found.outcome;
    }
    this.stats.misses++;
    // pending entries are shared too, so identical queries in flight run once
    const entry = { outcome: run(), bytes: 0 };
    this.map.set(key, entry);
    void entry.outcome.then((o) => {
      if (this.map.get(key) !== entry) return;
      if (!isStable(o)) {
        this.map.delete(key);
        return;
      }
      entry.bytes = bytesOf(o);
      this.bytes += entry.bytes;
      this.evict();
    });
    return entry.outcome;
  }

  get size(): number {
    return this.map.size;
  }

  /** bytes of the finished results held */
  get heldBytes(): number {
    return this.bytes;
  }

  private evict(): void {
    for (const [key, entry] of this.map) {
      if (this.bytes <= this.maxBytes) return;
      if (entry.bytes === 0) continue; // still running
      this.map.delete(key);
      this.bytes -= entry.bytes;
    }
  }
}
