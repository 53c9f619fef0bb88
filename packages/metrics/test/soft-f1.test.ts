import { describe, expect, it } from 'vitest';
import { softF1 } from '../src/soft-f1';

// Expected values were worked by hand and agree with BIRD mini-dev's calculate_f1_score on the same rows.
describe('softF1', () => {
  it('is 1 for identical results, with NULL = NULL and 1 = 1.0', () => {
    expect(softF1([[1.0, null]], [[1, null]])).toBe(1);
  });

  it('pairs rows by position, so the same rows in another order score 0', () => {
    // pair 1: gold (1,'a') vs pred (2,'b'): match 0/2, pred_only 2/2, truth_only 2/2; pair 2 likewise
    // tp = 0 → P = R = 0 → F1 = 0
    expect(
      softF1(
        [
          [2, 'b'],
          [1, 'a'],
        ],
        [
          [1, 'a'],
          [2, 'b'],
        ],
      ),
    ).toBe(0);
  });

  it('charges an unpaired predicted row 1 to pred_only', () => {
    // pair 1: gold (1,'a') vs pred (1,'x'): match 1/2, pred_only 1/2, truth_only 1/2
    // pair 2: gold (2,'b') vs pred (2,'b'): match 1, 0, 0; pred (3,'c') unpaired: pred_only 1
    // tp = 1.5, fp = 1.5, fn = 0.5 → P = 0.5, R = 0.75 → F1 = 2·0.5·0.75 / 1.25 = 0.6
    expect(
      softF1(
        [
          [1, 'x'],
          [2, 'b'],
          [3, 'c'],
        ],
        [
          [1, 'a'],
          [2, 'b'],
        ],
      ),
    ).toBeCloseTo(0.6, 12);
  });

  it('charges an unpaired gold row 1 to truth_only', () => {
    // pair 1: (1,'a') = (1,'a'): match 1; pair 2: gold (2,'b') vs pred (9,'z'): pred_only 1, truth_only 1
    // gold (3,'c') unpaired: truth_only 1 → tp = 1, fp = 1, fn = 2 → P = 1/2, R = 1/3 → F1 = (1/3)/(5/6) = 0.4
    expect(
      softF1(
        [
          [1, 'a'],
          [9, 'z'],
        ],
        [
          [1, 'a'],
          [2, 'b'],
          [3, 'c'],
        ],
      ),
    ).toBeCloseTo(0.4, 12);
  });

  it('drops duplicate rows, keeping first occurrences, before pairing', () => {
    // gold → (1),(2),(3); pred → (1),(2): two exact pairs, gold (3) unpaired
    // tp = 2, fp = 0, fn = 1 → P = 1, R = 2/3 → F1 = (4/3)/(5/3) = 0.8
    expect(softF1([[1], [2], [2]], [[1], [1], [2], [3]])).toBeCloseTo(0.8, 12);
  });

  it('tests cell membership in the other row, not multiset overlap', () => {
    // gold (1,2) vs pred (1,1): both predicted 1s are in the gold row → match 2/2; truth_only: 2 missing → 1/2
    // tp = 1, fp = 0, fn = 0.5 → P = 1, R = 2/3 → F1 = 0.8
    expect(softF1([[1, 1]], [[1, 2]])).toBeCloseTo(0.8, 12);
  });

  it('divides by the gold row length', () => {
    // gold (1,2) vs pred (1,2,3): match 2/2, pred_only 1/2, truth_only 0 → P = 2/3, R = 1 → F1 = 0.8
    expect(softF1([[1, 2, 3]], [[1, 2]])).toBeCloseTo(0.8, 12);
  });

  it('does not match 1 with "1"', () => {
    // match 0, pred_only 1, truth_only 1 → F1 = 0
    expect(softF1([['1']], [[1]])).toBe(0);
  });

  it('handles empty results and errors', () => {
    expect(softF1([], [])).toBe(1);
    expect(softF1([], [[1]])).toBe(0); // tp = 0, fn = 1
    expect(softF1([[1]], [])).toBe(0); // tp = 0, fp = 1
    expect(softF1(null, [])).toBe(0);
    expect(softF1(null, [[1]])).toBe(0);
  });
});
