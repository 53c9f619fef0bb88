import { bytesOf, isDeterministic, isStable, type ResultCacheStats } from './cacheable';
import { sqlKey } from './sql-key';
import type { ExecOutcome, ExecSuccess } from './types';

interface Entry {
  group: Group;
  sql: string;
  /** its sqlKey, when it is a result others may share */
  key: string | null;
  outcome: ExecOutcome;
  bytes: number;
}

/** The entries of one group, by SQL text and, for results, by sqlKey. */
interface Group {
  bySql: Map<string, Entry>;
  byKey: Map<string, Entry>;
}

/** What a worker tells the parent about its use of the cache while it scored an example. */
export interface QueryCounts extends ResultCacheStats {
  /** queries it ran */
  executions: number;
}

/**
 * How a query gets its own result from another text's result with the same sqlKey: the rows are
 * the same, the column names are its own (SQLite takes some from the text). Null: run it instead.
 */
export type Retitle = (shared: ExecSuccess) => ExecOutcome | null;

/**
 * A SQL worker's results, by query: the same rules as the parent's ResultCache (volatile queries
 * are never kept, nor timeouts, crashes and memory exhaustion; at most `maxBytes` of results,
 * oldest first out), synchronous, for the examples it scores (see score-job.ts). A `group` is
 * what the SQL text runs against: dataset version, database and caps. A query whose text is new
 * shares the result of a text SQLite reads alike (see sql-key.ts) through `retitle`; failures are
 * shared only by the same text, since their messages quote it.
 */
export class QueryCache {
  private readonly groups = new Map<string, Group>();
  /** least recently used first */
  private readonly order = new Set<Entry>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  get(group: string, sql: string, run: () => ExecOutcome, counts: QueryCounts, retitle?: Retitle): ExecOutcome {
    let g = this.groups.get(group);
    const found = g?.bySql.get(sql);
    if (found) {
      counts.hits++;
      this.touch(found);
      return found.outcome;
    }
    if (!isDeterministic(sql)) {
      counts.executions++;
      counts.volatile++;
      return run();
    }
    const key = sqlKey(sql);
    const alike = key === null ? undefined : g?.byKey.get(key);
    let outcome = alike?.outcome.ok && retitle ? retitle(alike.outcome) : null;
    if (alike && outcome) {
      counts.hits++;
      this.touch(alike);
    } else {
      counts.executions++;
      counts.misses++;
      outcome = run();
    }
    if (!isStable(outcome)) return outcome;
    if (!g) {
      g = { bySql: new Map(), byKey: new Map() };
      this.groups.set(group, g);
    }
    const shared = outcome.ok && key !== null;
    const entry: Entry = { group: g, sql, key: shared ? key : null, outcome, bytes: bytesOf(outcome) };
    g.bySql.set(sql, entry);
    if (entry.key !== null && !alike) g.byKey.set(entry.key, entry);
    this.order.add(entry);
    this.bytes += entry.bytes;
    for (const old of this.order) {
      if (this.bytes <= this.maxBytes) break;
      this.order.delete(old);
      old.group.bySql.delete(old.sql);
      if (old.key !== null && old.group.byKey.get(old.key) === old) old.group.byKey.delete(old.key);
      this.bytes -= old.bytes;
    }
    return outcome;
  }

  private touch(e: Entry): void {
    this.order.delete(e);
    this.order.add(e);
  }
}
