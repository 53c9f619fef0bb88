import { DEFAULT_MAX_RESULT_BYTES, type ExecOutcome } from './exec/index';
import { sqlTokens } from './exec/sql-tokens';

/** Functions whose result is not fixed by the database content. */
const VOLATILE_WORDS = new Set([
  'random',
  'randomblob',
  'current_date',
  'current_time',
  'current_timestamp',
  'changes',
  'total_changes',
  'last_insert_rowid',
]);
/** every word above contains one of these */
const VOLATILE_TEXT = /random|current_|changes|last_insert_rowid/i;

/**
 * Whether a query's result is a function of the database file alone. Date/time functions depend on
 * the clock only through the 'now' / 'localtime' modifiers, which are literals: look at the raw text.
 */
export function isDeterministic(sql: string): boolean {
  if (/'\s*(now|localtime)\s*'/i.test(sql)) return false;
  // a token can only be one of the words if its text is in the query: skip the lexer when none is
  if (!VOLATILE_TEXT.test(sql)) return true;
  return !sqlTokens(sql).some((t) => VOLATILE_WORDS.has(t));
}

/** Outcomes that would be the same on every run: results and the errors the query itself causes. */
function isStable(o: ExecOutcome): boolean {
  if (o.ok) return true;
  if (o.error === 'refused' || o.error === 'too_many_rows' || o.error === 'too_large' || o.error === 'db_missing')
    return true;
  return o.error === 'sql_error' && !/locked|busy|interrupt|disk i\/o|out of memory/i.test(o.message);
}

/** what an entry counts against the budget: its result's bytes (a failure is a short message) */
const bytesOf = (o: ExecOutcome) => (o.ok ? Math.max(1, o.bytes) : 256);

/** What the cache holds in all, by default: four results at the per-result cap, or a dev set's golds. */
export const DEFAULT_CACHE_BYTES = 4 * DEFAULT_MAX_RESULT_BYTES;

/** The caps a result was computed under: part of its key (a result under other caps may differ). */
export interface ResultCaps {
  maxRows: number;
  maxBytes: number;
}

export interface ResultCacheStats {
  hits: number;
  misses: number;
  /** queries that were not cached because their result can change between runs */
  volatile: number;
}

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
