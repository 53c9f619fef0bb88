/** One cell as better-sqlite3 returns it (integers and reals are both JS numbers; blobs are Uint8Array/Buffer). */
export type SqlValue = number | bigint | string | null | Uint8Array;

/** A query result: optional column names plus the rows as tuples. */
export interface SqlResult {
  columns?: string[];
  rows: SqlValue[][];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Canonical key of a cell: a type tag plus the value, so that keys are equal exactly when the cells are equal
 * as the reference evaluators (Python tuples/sets) see them: NULL = NULL, 1 = 1.0 (one JS number), 0 = -0,
 * 1 ≠ '1', a bigint equals a number only when the number is a safe integer of the same value, blobs by bytes.
 */
export function valueKey(value: SqlValue): string {
  if (value === null) return 'z';
  switch (typeof value) {
    case 'number':
      // String(-0) is "0" and String() round-trips every double, so floats compare exactly.
      return `n${String(value)}`;
    case 'bigint':
      return value >= -MAX_SAFE && value <= MAX_SAFE ? `n${value.toString()}` : `b${value.toString()}`;
    case 'string':
      return `s${value}`;
    default:
      if (value instanceof Uint8Array) {
        let hex = 'x';
        for (const byte of value) hex += HEX[byte];
        return hex;
      }
      throw new TypeError(`not an SQL value: ${Object.prototype.toString.call(value)}`);
  }
}

/** Whether two cells are equal under the rules of {@link valueKey}. */
export function valuesEqual(a: SqlValue, b: SqlValue): boolean {
  return valueKey(a) === valueKey(b);
}

/**
 * Whether two results hold the same rows in the same order, cell for cell under the rules of
 * {@link valueKey}: the common case of a correct prediction, which the comparisons answer without
 * building keys. False (never a throw) for cells that are not SQL values: the caller's own path
 * reports those.
 */
export function sameRows(a: readonly (readonly SqlValue[])[], b: readonly (readonly SqlValue[])[]): boolean {
  if (a.length !== b.length) return false;
  try {
    for (let r = 0; r < a.length; r++) {
      const x = a[r] as readonly SqlValue[];
      const y = b[r] as readonly SqlValue[];
      if (x.length !== y.length) return false;
      for (let c = 0; c < x.length; c++) {
        const u = x[c] as SqlValue;
        const v = y[c] as SqlValue;
        // equal plain values have equal keys; others (a bigint and a number, blobs) compare by key
        if (u === v && (u === null || typeof u === 'number' || typeof u === 'string' || typeof u === 'bigint'))
          continue;
        if (valueKey(u) !== valueKey(v)) return false;
      }
    }
  } catch {
    return false;
  }
  return true;
}

/** Canonical key of a row (a tuple: column order matters). */
export function rowKey(row: readonly SqlValue[]): string {
  return keysToRowKey(row.map(valueKey));
}

/** Row key from already computed cell keys; JSON keeps the concatenation unambiguous. */
export function keysToRowKey(cellKeys: readonly string[]): string {
  return JSON.stringify(cellKeys);
}
