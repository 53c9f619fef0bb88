import { rowKey, type SqlValue, sameRows } from './sql-result';

/**
 * BIRD execution accuracy: set(pred rows) == set(gold rows). Row order and duplicate rows are ignored, column
 * order matters (rows are tuples), cells compare as in {@link rowKey} (NULL = NULL, 1 = 1.0, 1 ≠ '1').
 */
export function exBird(pred: readonly (readonly SqlValue[])[], gold: readonly (readonly SqlValue[])[]): boolean {
  if (sameRows(pred, gold)) return true;
  const predKeys = new Set(pred.map(rowKey));
  const goldKeys = new Set(gold.map(rowKey));
  if (predKeys.size !== goldKeys.size) return false;
  for (const key of predKeys) if (!goldKeys.has(key)) return false;
  return true;
}
