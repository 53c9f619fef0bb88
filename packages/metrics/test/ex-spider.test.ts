import { describe, expect, it } from 'vitest';
import { exBird } from '../src/ex-bird';
import { exSpider, goldHasOrderBy } from '../src/ex-spider';
import type { SqlValue } from '../src/sql-result';

const unordered = { orderMatters: false };
const ordered = { orderMatters: true };

describe('exSpider', () => {
  it('ignores row order unless the order matters', () => {
    expect(exSpider([[2], [1]], [[1], [2]], unordered)).toBe(true);
    expect(exSpider([[2], [1]], [[1], [2]], ordered)).toBe(false);
    expect(exSpider([[1], [2]], [[1], [2]], ordered)).toBe(true);
  });

  it('compares rows as a multiset, unlike bird', () => {
    const pred = [[1], [1], [2]];
    const gold = [[1], [2], [2]];
    expect(exSpider(pred, gold, unordered)).toBe(false);
    expect(exBird(pred, gold)).toBe(true);
    expect(exSpider([[1], [2]], [[1], [1], [2]], unordered)).toBe(false); // row counts differ
    expect(exSpider([[1], [2], [1]], [[1], [1], [2]], unordered)).toBe(true);
  });

  it('accepts a column permutation, unlike bird', () => {
    const gold = [
      [1, 'a'],
      [2, 'b'],
    ];
    const pred = [
      ['a', 1],
      ['b', 2],
    ];
    expect(exSpider(pred, gold, unordered)).toBe(true);
    expect(exSpider(pred, gold, ordered)).toBe(true);
    expect(exBird(pred, gold)).toBe(false);
    // permuted columns and reversed rows: fine without ORDER BY, wrong with it
    const reversed = [
      ['b', 2],
      ['a', 1],
    ];
    expect(exSpider(reversed, gold, unordered)).toBe(true);
    expect(exSpider(reversed, gold, ordered)).toBe(false);
  });

  it('rejects tables whose rows and columns agree as bags but that no column permutation makes equal', () => {
    // Row bags agree ({1,1,2} twice, {1,2,2} once on both sides) and the column value multisets agree
    // ({1,2,2}, {1,1,2}, {1,1,2}), but the gold repeats the row (2,1,1) while every column permutation of the
    // prediction keeps its three distinct rows distinct. The reference's result_eq returns False.
    const gold = [
      [2, 1, 1],
      [2, 1, 1],
      [1, 2, 2],
    ];
    const pred = [
      [1, 2, 1],
      [2, 1, 2],
      [1, 1, 2],
    ];
    expect(exSpider(pred, gold, unordered)).toBe(false);
  });

  it('finds the permutation among columns with equal value multisets', () => {
    // gold[i] = (i, i+1, …, i+7) mod 8: every column holds 0..7, so only the row projections tell them apart.
    const width = 8;
    const gold = Array.from({ length: width }, (_, i) => Array.from({ length: width }, (_, j) => (i + j) % width));
    const perm = [3, 0, 7, 5, 1, 6, 2, 4];
    const pred = gold.map((row) => perm.map((c) => row[c] ?? -1)).reverse();
    expect(exSpider(pred, gold, unordered)).toBe(true);
    const broken = pred.map((row) => [...row]);
    broken[0] = [...(broken[0] ?? [])].reverse();
    expect(exSpider(broken, gold, unordered)).toBe(false);
  });

  it('treats NULL = NULL, 1 = 1.0 and 1 ≠ "1"', () => {
    expect(exSpider([[null, 1.0]], [[null, 1]], ordered)).toBe(true);
    expect(exSpider([[1n, 'x']], [['x', 1]], unordered)).toBe(true);
    expect(exSpider([['1']], [[1]], unordered)).toBe(false);
  });

  it('handles empty results and differing column counts', () => {
    expect(exSpider([], [], ordered)).toBe(true);
    expect(exSpider([], [[1]], unordered)).toBe(false);
    expect(exSpider([[1]], [], unordered)).toBe(false);
    expect(exSpider([[1, 2]], [[1]], unordered)).toBe(false);
  });

  it('reports ragged results', () => {
    expect(() => exSpider([[1], [1, 2]], [[1], [2]], unordered)).toThrow(/ragged prediction result: row 1 has 2 cells/);
  });

  it('gives up with false when the search budget is spent', () => {
    const gold = [
      [1, 'a'],
      [2, 'b'],
    ];
    const pred = [
      ['a', 1],
      ['b', 2],
    ];
    expect(exSpider(pred, gold, { orderMatters: false, maxSearchNodes: 1 })).toBe(false);
  });

  it('finds the identity permutation of identical results whatever the budget lets the search try first', () => {
    // four columns holding the same values in different orders: every gold column has four candidates
    const gold = [
      [1, 2, 3, 4],
      [2, 3, 4, 1],
      [3, 4, 1, 2],
      [4, 1, 2, 3],
    ];
    const pred = gold.map((row) => [...row]);
    expect(exSpider(pred, gold, { orderMatters: false, maxSearchNodes: 1 })).toBe(true);
    // not identical: a rotation of the columns still needs the search, and one node is not enough
    const rotated = gold.map((row) => [row[1], row[2], row[3], row[0]] as SqlValue[]);
    expect(exSpider(rotated, gold, { orderMatters: false })).toBe(true);
    expect(exSpider(rotated, gold, { orderMatters: false, maxSearchNodes: 1 })).toBe(false);
  });

  it('scales to large results', () => {
    const gold: SqlValue[][] = Array.from({ length: 20_000 }, (_, i) => [i, `name ${i % 100}`, i % 7, null]);
    const pred = gold.map((row) => [row[3] ?? null, row[1] ?? null, row[0] ?? null, row[2] ?? null]).reverse();
    expect(exSpider(pred, gold, unordered)).toBe(true);
    expect(exSpider(pred, gold, ordered)).toBe(false);
  });
});

describe('goldHasOrderBy', () => {
  it('is the reference substring test on the lowered query', () => {
    expect(goldHasOrderBy('SELECT name FROM singer ORDER BY age DESC')).toBe(true);
    expect(goldHasOrderBy('select name from singer order by age')).toBe(true);
    expect(goldHasOrderBy('SELECT count(*) FROM singer')).toBe(false);
    // quirks kept on purpose, as in `'order by' in g_str.lower()`
    expect(goldHasOrderBy('SELECT name FROM singer ORDER  BY age')).toBe(false);
    expect(goldHasOrderBy("SELECT name FROM t WHERE note = 'order by'")).toBe(true);
  });

  it('decides whether row order matters', () => {
    const gold = [['Alice'], ['Bob']];
    const pred = [['Bob'], ['Alice']];
    const verdict = (goldSql: string) => exSpider(pred, gold, { orderMatters: goldHasOrderBy(goldSql) });
    expect(verdict('SELECT name FROM people ORDER BY name')).toBe(false);
    expect(verdict('SELECT name FROM people')).toBe(true);
  });
});
