import { keysToRowKey, type SqlValue, sameRows, valueKey } from './sql-result';

/**
 * BIRD mini-dev Soft-F1 of one example in [0, 1] (`pred` null = the prediction failed → 0). Rows are deduplicated
 * keeping first occurrences and paired by position (i-th distinct gold row with i-th distinct predicted row). Per
 * pair, with n = gold row length, a predicted cell counts as a match when its value occurs anywhere in the gold
 * row (membership, not multiset matching, so repeated cells each count), otherwise as pred-only; a gold cell whose
 * value occurs nowhere in the predicted row counts as truth-only; each count is divided by n.
 */
export function softF1(pred: readonly (readonly SqlValue[])[] | null, gold: readonly (readonly SqlValue[])[]): number {
  if (pred === null) return 0;
  if (pred.length === 0 && gold.length === 0) return 1;
  // the same rows: every distinct row matches itself in full (tp 1 each, nothing else), unless a
  // row has no cells (see below)
  if (sameRows(pred, gold)) return gold.every((row) => row.length > 0) ? 1 : 0;
  const predRows = distinctRows(pred);
  const goldRows = distinctRows(gold);

  let tp = 0;
  let fp = 0;
  let fn = 0;
  goldRows.forEach((goldRow, i) => {
    const predRow = predRows[i];
    if (predRow === undefined) {
      fn += 1;
      return;
    }
    const n = goldRow.length;
    const inGold = new Set(goldRow);
    const inPred = new Set(predRow);
    const matches = predRow.filter((key) => inGold.has(key)).length;
    tp += matches / n;
    fp += (predRow.length - matches) / n;
    fn += goldRow.filter((key) => !inPred.has(key)).length / n;
  });
  fp += Math.max(0, predRows.length - goldRows.length);

  // A zero-column gold row divides by zero; the reference then fails the example.
  if (!Number.isFinite(tp + fp + fn)) return 0;
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** Rows as cell-key tuples, duplicates dropped, first occurrences kept in order. */
function distinctRows(rows: readonly (readonly SqlValue[])[]): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const row of rows) {
    const keys = row.map(valueKey);
    const key = keysToRowKey(keys);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(keys);
  }
  return out;
}
