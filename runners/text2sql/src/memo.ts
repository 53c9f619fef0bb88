import { firstStatement, removeDistinct } from '@trueboard/metrics';

/**
 * Comparisons of two results, remembered per pair of row arrays (what a comparison reads). The
 * result caches hand out the same rows for the same (dataset, db, SQL), and for texts SQLite reads
 * alike (sql-key.ts), and the comparisons are pure, so a second system with the same prediction,
 * or a re-run, compares nothing again. Weak keys: entries go when the cache drops the results.
 */
const compared = new WeakMap<object, WeakMap<object, Map<string, number>>>();

export function compareOnce(pred: object, gold: object, how: string, compare: () => number): number {
  let byGold = compared.get(pred);
  if (!byGold) {
    byGold = new WeakMap();
    compared.set(pred, byGold);
  }
  let byHow = byGold.get(gold);
  if (!byHow) {
    byHow = new Map();
    byGold.set(gold, byHow);
  }
  let v = byHow.get(how);
  if (v === undefined) {
    v = compare();
    byHow.set(how, v);
  }
  return v;
}

const MAX_TEXTS = 100_000;
const withoutDistinct = new Map<string, string>();

/** `removeDistinct`, remembered (the same gold SQL is rewritten once per system otherwise). */
export function removeDistinctOnce(sql: string): string {
  // without the word in its text there is nothing to remove (most queries): skip the lexer
  if (!/distinct/i.test(sql)) return sql;
  let out = withoutDistinct.get(sql);
  if (out === undefined) {
    if (withoutDistinct.size >= MAX_TEXTS) withoutDistinct.clear();
    out = removeDistinct(sql);
    withoutDistinct.set(sql, out);
  }
  return out;
}

/**
 * `firstStatement`, without the lexer for the common case: text with no `;` is one statement,
 * which is the whole text trimmed unless it is nothing but comments.
 */
export function firstStatementQuick(sql: string): string {
  const trimmed = sql.trim();
  if (!sql.includes(';') && trimmed && !trimmed.startsWith('--') && !trimmed.startsWith('/*')) return trimmed;
  return firstStatement(sql);
}
