import { type SqlValue, sameRows, valueKey } from './sql-result';

export interface SpiderExOptions {
  /** Rows must match in order (the reference sets this when the gold query contains ORDER BY). */
  orderMatters: boolean;
  /** Budget of partial column assignments tried before giving up with `false`; default 10,000. */
  maxSearchNodes?: number;
}

type Rows = readonly (readonly SqlValue[])[];

/**
 * Spider execution accuracy after test-suite-sql-eval `result_eq`: rows compared as a multiset (or as a sequence
 * when `orderMatters`), and the prediction's columns may be permuted to match the gold's. Cells compare as in
 * `valueKey` (NULL = NULL, 1 = 1.0, 1 ≠ '1'). The result is exactly "some column permutation makes the results
 * equal", which the reference's pruned enumeration also decides (its int-vs-real sort quirk in `quick_rej` cannot
 * arise here: better-sqlite3 returns both as one JS number).
 */
export function exSpider(pred: Rows, gold: Rows, options: SpiderExOptions): boolean {
  if (pred.length === 0 && gold.length === 0) return true;
  if (pred.length !== gold.length) return false;
  const width = columnCount(gold, 'gold');
  if (columnCount(pred, 'prediction') !== width) return false;
  const maxNodes = options.maxSearchNodes ?? 10_000;
  // the search below tries at least one node (and fails past the budget)
  const oneNode = !(1 > maxNodes);
  // the same rows in the same order: equal in order, and as multisets under the identity
  // permutation, which the reference's enumeration always tries (the search below could spend its
  // budget first on columns with the same values in another order: this is the reference's answer)
  if ((options.orderMatters || oneNode) && sameRows(pred, gold)) return true;

  const goldKeys = gold.map((row) => row.map(valueKey));
  const predKeys = pred.map((row) => row.map(valueKey));
  // Rows as unordered bags of cells must already agree under any column permutation: rejects most pairs cheaply.
  const goldBags = goldKeys.map(bagKey);
  const predBags = predKeys.map(bagKey);
  if (options.orderMatters ? !sameSequence(goldBags, predBags) : !sameMultiset(goldBags, predBags)) return false;

  if (options.orderMatters) return orderedColumnsMatch(goldKeys, predKeys, width);
  // one column: equal bags are equal rows, and the only permutation is the identity (one node)
  if (width === 1) return oneNode;
  return searchColumnPermutation(goldKeys, predKeys, width, maxNodes);
}

/**
 * Whether the gold query makes row order matter, exactly as the reference decides it: `'order by' in gold.lower()`
 * (a plain substring test: it also fires inside string literals and misses `ORDER  BY` with two spaces).
 */
export function goldHasOrderBy(goldSql: string): boolean {
  return goldSql.toLowerCase().includes('order by');
}

function columnCount(rows: Rows, label: string): number {
  const width = rows[0]?.length ?? 0;
  rows.forEach((row, i) => {
    if (row.length !== width) {
      throw new RangeError(`ragged ${label} result: row ${i} has ${row.length} cells, row 0 has ${width}`);
    }
  });
  return width;
}

function bagKey(cells: readonly string[]): string {
  return JSON.stringify([...cells].sort());
}

function columnKeys(rows: readonly (readonly string[])[], col: number): string[] {
  return rows.map((row) => row[col] ?? '');
}

function sameSequence(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, i) => key === b[i]);
}

function countKeys(keys: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

function sameCounts(expected: ReadonlyMap<string, number>, keys: readonly string[]): boolean {
  const actual = countKeys(keys);
  if (actual.size !== expected.size) return false;
  for (const [key, n] of actual) if (expected.get(key) !== n) return false;
  return true;
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && sameCounts(countKeys(a), b);
}

// With rows in a fixed order, a column permutation exists iff the gold's columns (as whole value sequences)
// are a rearrangement of the prediction's: no search needed.
function orderedColumnsMatch(gold: readonly string[][], pred: readonly string[][], width: number): boolean {
  const seq = (rows: readonly string[][]) =>
    Array.from({ length: width }, (_, c) => JSON.stringify(columnKeys(rows, c)));
  return sameMultiset(seq(gold), seq(pred));
}

// Backtracking over gold columns (most constrained first). A gold column's candidates are the prediction columns
// with the same value multiset; prediction columns with identical value sequences are interchangeable and tried
// once; after each assignment the projections of gold and prediction onto the assigned columns must be equal
// multisets of rows, which prunes early and makes the last step the full check.
function searchColumnPermutation(
  gold: readonly string[][],
  pred: readonly string[][],
  width: number,
  maxNodes: number,
): boolean {
  const multisetSig = (rows: readonly string[][], c: number) => JSON.stringify(columnKeys(rows, c).sort());
  const goldSigs = Array.from({ length: width }, (_, c) => multisetSig(gold, c));
  const predSigs = Array.from({ length: width }, (_, c) => multisetSig(pred, c));
  if (!sameMultiset(goldSigs, predSigs)) return false;

  // Classes of interchangeable prediction columns.
  const classOfSequence = new Map<string, number>();
  const classRep: number[] = [];
  const classLeft: number[] = [];
  const classSig: string[] = [];
  for (let c = 0; c < width; c++) {
    const seq = JSON.stringify(columnKeys(pred, c));
    const known = classOfSequence.get(seq);
    if (known === undefined) {
      classOfSequence.set(seq, classRep.length);
      classRep.push(c);
      classLeft.push(1);
      classSig.push(predSigs[c] ?? '');
    } else {
      classLeft[known] = (classLeft[known] ?? 0) + 1;
    }
  }
  const candidates = goldSigs.map((sig) => classSig.flatMap((s, cls) => (s === sig ? [cls] : [])));
  const order = Array.from({ length: width }, (_, c) => c).sort(
    (x, y) => (candidates[x]?.length ?? 0) - (candidates[y]?.length ?? 0),
  );

  // Cells as self-delimiting JSON strings, so concatenations are unambiguous partial row keys.
  const goldCells = gold.map((row) => row.map((key) => JSON.stringify(key)));
  const predCells = pred.map((row) => row.map((key) => JSON.stringify(key)));
  const goldPrefixCounts: Map<string, number>[] = [];
  let acc = gold.map(() => '');
  for (const g of order) {
    acc = acc.map((prefix, r) => prefix + (goldCells[r]?.[g] ?? ''));
    goldPrefixCounts.push(countKeys(acc));
  }

  let nodes = 0;
  const extend = (depth: number, predPrefix: readonly string[]): boolean => {
    const g = order[depth];
    const expected = goldPrefixCounts[depth];
    if (g === undefined || expected === undefined) return true;
    for (const cls of candidates[g] ?? []) {
      const rep = classRep[cls];
      const left = classLeft[cls] ?? 0;
      if (rep === undefined || left === 0) continue;
      if (++nodes > maxNodes) return false;
      const next = predPrefix.map((prefix, r) => prefix + (predCells[r]?.[rep] ?? ''));
      if (!sameCounts(expected, next)) continue;
      classLeft[cls] = left - 1;
      if (extend(depth + 1, next)) return true;
      classLeft[cls] = left;
    }
    return false;
  };
  return extend(
    0,
    pred.map(() => ''),
  );
}
