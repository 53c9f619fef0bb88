import { describe, expect, it } from 'vitest';
import { exBird } from '../src/ex-bird';
import { rowKey, valueKey, valuesEqual } from '../src/sql-result';

describe('valueKey / valuesEqual', () => {
  it('follows Python equality on SQLite values', () => {
    expect(valuesEqual(null, null)).toBe(true);
    expect(valuesEqual(1, 1.0)).toBe(true);
    expect(valuesEqual(0, -0)).toBe(true);
    expect(valuesEqual(1, '1')).toBe(false);
    expect(valuesEqual(null, 'z')).toBe(false);
    expect(valuesEqual(0.1 + 0.2, 0.3)).toBe(false); // floats compare exactly
    expect(valuesEqual(1n, 1)).toBe(true);
    expect(valuesEqual(-(2n ** 53n) + 1n, -(2 ** 53) + 1)).toBe(true); // the smallest safe integer
    expect(valuesEqual(2n ** 60n, 2 ** 60)).toBe(false); // 2^60 is not a safe integer
    expect(valuesEqual(2n ** 60n, 2n ** 60n)).toBe(true);
    expect(valuesEqual(Buffer.from([1, 2, 255]), new Uint8Array([1, 2, 255]))).toBe(true);
    expect(valuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(valuesEqual(new Uint8Array([]), '')).toBe(false);
  });

  it('makes row keys unambiguous', () => {
    expect(rowKey(['a', 'b'])).not.toBe(rowKey(['a,b']));
    expect(rowKey(['"', 1])).not.toBe(rowKey(['",', 1]));
    expect(rowKey([1, 'x'])).not.toBe(rowKey(['x', 1]));
  });

  it('rejects values that are not SQL values', () => {
    expect(() => valueKey(true as unknown as null)).toThrow(TypeError);
  });
});

describe('exBird', () => {
  it('ignores row order and duplicates', () => {
    expect(exBird([[2], [1]], [[1], [2]])).toBe(true);
    expect(exBird([[1], [1], [2]], [[1], [2], [2]])).toBe(true); // set {1, 2} on both sides
    expect(exBird([[1], [2]], [[1], [2], [3]])).toBe(false);
  });

  it('keeps column order (rows are tuples)', () => {
    expect(
      exBird(
        [
          ['a', 1],
          ['b', 2],
        ],
        [
          [1, 'a'],
          [2, 'b'],
        ],
      ),
    ).toBe(false);
  });

  it('treats NULL = NULL, 1 = 1.0 and 1 ≠ "1"', () => {
    expect(exBird([[null, 1]], [[null, 1.0]])).toBe(true);
    expect(exBird([[1n]], [[1]])).toBe(true);
    expect(exBird([['1']], [[1]])).toBe(false);
    expect(exBird([[null]], [['']])).toBe(false);
  });

  it('treats empty results as equal only to empty results', () => {
    expect(exBird([], [])).toBe(true);
    expect(exBird([], [[null]])).toBe(false);
    expect(exBird([[null]], [])).toBe(false);
  });

  it('compares blobs by bytes', () => {
    expect(exBird([[Buffer.from('ab')]], [[new Uint8Array([97, 98])]])).toBe(true);
  });
});
