import { describe, expect, it } from 'vitest';
import { averageRanks, correlationTest, kendallTauB, spearman } from '../src/rank-correlation';

describe('averageRanks', () => {
  it('gives ties the mean of their positions', () => {
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(averageRanks([3, 1, 2])).toEqual([3, 1, 2]);
  });
});

describe('spearman', () => {
  it('is 1 for the same order, -1 for the reverse, and matches hand-worked values', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // no ties: ρ = 1 − 6Σd²/(n(n²−1)); ranks y = 1,3,2,4 → d² = 0+1+1+0 = 2 → 1 − 12/60 = 0.8
    expect(spearman([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
  });

  it('handles ties through average ranks', () => {
    // x ranks 1,2,3,4; y = [1,2,2,3] → ranks 1,2.5,2.5,4: Pearson(1..4, [1,2.5,2.5,4])
    // means 2.5 and 2.5; Σdxdy = 2.25+0+0+2.25 = 4.5; Σdx² = 5; Σdy² = 2.25+0+0+2.25 = 4.5 → 4.5/√22.5
    expect(spearman([1, 2, 3, 4], [1, 2, 2, 3])).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});

describe('kendallTauB', () => {
  it('counts concordant and discordant pairs', () => {
    // pairs of (1,2,3,4) vs (1,3,2,4): 6 pairs, one discordant (2,3) → (5 − 1)/6
    expect(kendallTauB([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12);
    expect(kendallTauB([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('corrects for ties (τ-b)', () => {
    // x = 1,2,3,4; y = 1,2,2,3: n0 = 6, ties in y = 1 pair, none in x; S = 5 concordant − 0 = 5
    // τ-b = 5 / √(6 · 5) = 5/√30
    expect(kendallTauB([1, 2, 3, 4], [1, 2, 2, 3])).toBeCloseTo(5 / Math.sqrt(30), 12);
  });
});

describe('correlationTest', () => {
  it('gives exact permutation p-values for small n', () => {
    // n = 3, ρ = 1: of the 3! = 6 pairings, two have |ρ| = 1 (same and reversed order) → p = 2/6
    const t = correlationTest(spearman, [1, 2, 3], [1, 2, 3]);
    expect(t).toMatchObject({ method: 'exact', n: 3 });
    expect(t.p).toBeCloseTo(2 / 6, 12);
    // n = 4, τ = 1: two of 24 pairings reach |τ| = 1 → 1/12
    expect(correlationTest(kendallTauB, [1, 2, 3, 4], [5, 6, 7, 8]).p).toBeCloseTo(2 / 24, 12);
  });

  it('falls back to a seeded permutation test for larger n, reproducibly', () => {
    const x = Array.from({ length: 12 }, (_, i) => i);
    const y = x.map((v) => v * 2 + (v % 3));
    const a = correlationTest(spearman, x, y, { resamples: 2000, seed: 5 });
    expect(a.method).toBe('permutation');
    expect(a.p).toBeLessThan(0.01);
    expect(correlationTest(spearman, x, y, { resamples: 2000, seed: 5 }).p).toBe(a.p);
  });
});
