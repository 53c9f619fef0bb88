import { sqlTokens } from './sql-tokens';
import type { ExecFailure } from './types';

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
/** the clock's modifiers, as the literals they are */
const CLOCK_LITERAL = /'\s*(now|localtime)\s*'/i;
/** text any of the two above needs: most queries have none, and are looked at once */
const MAYBE_VOLATILE = /random|current_|changes|last_insert_rowid|now|localtime/i;

/**
 * Whether a query's result is a function of the database file alone. Date/time functions depend on
 * the clock only through the 'now' / 'localtime' modifiers, which are literals: look at the raw text.
 */
export function isDeterministic(sql: string): boolean {
  if (!MAYBE_VOLATILE.test(sql)) return true;
  if (CLOCK_LITERAL.test(sql)) return false;
  // a token can only be one of the words if its text is in the query: skip the lexer when none is
  if (!VOLATILE_TEXT.test(sql)) return true;
  return !sqlTokens(sql).some((t) => VOLATILE_WORDS.has(t));
}

/** What a result cache holds: results (whatever it keeps of them), or failures. */
export type Cacheable = { ok: true; bytes: number; ms: number } | ExecFailure;

/** Outcomes that would be the same on every run: results and the errors the query itself causes. */
export function isStable(o: Cacheable): boolean {
  if (o.ok) return true;
  if (o.error === 'refused' || o.error === 'too_many_rows' || o.error === 'too_large' || o.error === 'db_missing')
    return true;
  return o.error === 'sql_error' && !/locked|busy|interrupt|disk i\/o|out of memory/i.test(o.message);
}

/** what an entry counts against a cache's budget: its result's bytes (a failure is a short message) */
export const bytesOf = (o: Cacheable) => (o.ok ? Math.max(1, o.bytes) : 256);

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

/** A result shared from a query with a larger budget (gold) still has to fit this one's. */
export function withinBudget<O extends Cacheable>(o: O, timeoutMs: number): O | ExecFailure {
  if (o.ms <= timeoutMs || (!o.ok && o.error === 'timeout')) return o;
  return {
    ok: false,
    error: 'timeout',
    message: `timed out after ${timeoutMs} ms (the same query, run with a larger budget, took longer)`,
    ms: o.ms,
  };
}
