import { describe, expect, it } from 'vitest';
import { mcnemarExact, pairedTest } from '../src/paired-test';

describe('mcnemarExact', () => {
  it('is the two-sided binomial test on the discordant pairs, worked by hand', () => {
    // b = 0, c = 5: P(X ≤ 0) = 1/2^5 = 1/32, doubled: 1/16
    expect(mcnemarExact(0, 5)).toBeCloseTo(0.0625, 15);
    // b = 1, c = 5: P(X ≤ 1) = (C(6,0) + C(6,1))/2^6 = 7/64, doubled: 7/32
    expect(mcnemarExact(1, 5)).toBeCloseTo(0.21875, 15);
    // b = 2, c = 10: (1 + 12 + 66)/2^12 = 79/4096, doubled: 79/2048 — below 0.05, where the
    // continuity-corrected χ² ((|2 − 10| − 1)²/12 = 4.083, p = 0.0433) and the exact test agree only roughly
    expect(mcnemarExact(2, 10)).toBeCloseTo(79 / 2048, 15);
    // b = 0, c = 30: 2/2^30
    expect(mcnemarExact(0, 30)).toBeCloseTo(2 / 2 ** 30, 20);
  });

  it('gives p = 1 for symmetric discordance and is symmetric in b and c', () => {
    for (const [b, c] of [
      [0, 0],
      [3, 3],
      [0, 1],
      [5, 6],
      [600, 600],
    ] as const) {
      expect(mcnemarExact(b, c)).toBe(1);
      expect(mcnemarExact(c, b)).toBe(1);
    }
    expect(mcnemarExact(5, 1)).toBe(mcnemarExact(1, 5));
  });

  it('stays exact where 2^−n underflows', () => {
    // n = 2,100: 2 · Σ_{k ≤ 1000} C(2100, k) / 2^2100, in exact rational arithmetic (Python's
    // fractions.Fraction and math.comb, an independent implementation) = 0.030720707864242296
    expect(mcnemarExact(1000, 1100)).toBeCloseTo(0.030720707864242296, 12);
    expect(mcnemarExact(0, 5000)).toBe(0);
  });

  it('refuses counts that are not non-negative integers, naming them', () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(/b must be a non-negative integer, got -1/);
    expect(() => mcnemarExact(1, 2.5)).toThrow(/c must be a non-negative integer, got 2.5/);
  });
});

describe('pairedTest', () => {
  it('uses exact McNemar for right/wrong verdicts and reports the discordant counts', () => {
    // examples 1–2 only a right, 3–7 only b right, 8 both right, 9–10 both wrong
    const a = [1, 1, 0, 0, 0, 0, 0, 1, 0, 0];
    const b = [0, 0, 1, 1, 1, 1, 1, 1, 0, 0];
    // b = 2, c = 5: 2 · (1 + 7 + 21)/2^7 = 58/128
    expect(pairedTest(a, b, { seed: 1 })).toEqual({
      test: 'mcnemar-exact',
      pValue: expect.closeTo(58 / 128, 15),
      n: 10,
      onlyA: 2,
      onlyB: 5,
    });
  });

  it('uses a seeded sign-flip permutation test for graded scores', () => {
    const a = [0.5, 1, 0.75, 1, 0.9, 1, 0.8, 1, 0.7, 1, 0.6, 1];
    const b = [0.4, 0.2, 0.1, 0.3, 0.2, 0.1, 0, 0.3, 0.2, 0.1, 0.3, 0.2];
    const r = pairedTest(a, b, { seed: 5, permutations: 20_000 });
    expect(r).toMatchObject({ test: 'sign-flip-permutation', n: 12, permutations: 20_000 });
    // all 12 differences positive: only the all-plus and all-minus patterns are as extreme, p = 2/4096
    expect(r.pValue).toBeGreaterThan(0);
    expect(r.pValue).toBeLessThan(0.002);
    expect(pairedTest(a, b, { seed: 5, permutations: 20_000 })).toEqual(r);
  });
});
