import { describe, expect, it } from 'vitest';
import { bootstrapMeanCI, pairedBootstrap } from '../src/bootstrap';
import { pairedPermutationTest } from '../src/permutation';
import { mulberry32 } from '../src/random';

const scores = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0.5, 0.25, 1, 0, 1, 1, 0.75, 1, 0, 1];
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('mulberry32', () => {
  it('is deterministic per seed and uniform on [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const draws = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(draws);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mean(draws)).toBeCloseTo(0.5, 1);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });
});

describe('bootstrapMeanCI', () => {
  it('is deterministic for a fixed seed and contains the mean', () => {
    const ci = bootstrapMeanCI(scores, { seed: 7 });
    expect(bootstrapMeanCI(scores, { seed: 7 })).toEqual(ci);
    expect(bootstrapMeanCI(scores, { seed: 8 })).not.toEqual(ci);
    expect(ci.low).toBeLessThan(mean(scores));
    expect(ci.high).toBeGreaterThan(mean(scores));
    expect(ci.low).toBeGreaterThanOrEqual(0);
    expect(ci.high).toBeLessThanOrEqual(1);
  });

  it('narrows with a lower level', () => {
    const wide = bootstrapMeanCI(scores, { seed: 1, level: 0.99, resamples: 2000 });
    const narrow = bootstrapMeanCI(scores, { seed: 1, level: 0.5, resamples: 2000 });
    expect(wide.low).toBeLessThan(narrow.low);
    expect(wide.high).toBeGreaterThan(narrow.high);
  });

  it('gives a zero-width interval for a constant vector', () => {
    expect(bootstrapMeanCI([0.5, 0.5, 0.5, 0.5], { seed: 3 })).toEqual({ low: 0.5, high: 0.5 });
    expect(bootstrapMeanCI([1], { seed: 3 })).toEqual({ low: 1, high: 1 });
  });

  it('spans the resampled means of [0, 1]', () => {
    // Resampled means are 0, ½, 1 with probabilities ¼, ½, ¼: with 1,000 resamples far more than 2.5% are 0
    // and far more than 2.5% are 1, so the 95% percentile interval is exactly [0, 1].
    expect(bootstrapMeanCI([0, 1], { seed: 11 })).toEqual({ low: 0, high: 1 });
  });

  it('validates its input', () => {
    expect(() => bootstrapMeanCI([], { seed: 1 })).toThrow(/at least one score/);
    expect(() => bootstrapMeanCI([1, Number.NaN], { seed: 1 })).toThrow(/values\[1\] must be a finite number/);
    expect(() => bootstrapMeanCI([1], { seed: 1, resamples: 0 })).toThrow(/resamples must be a positive integer/);
    expect(() => bootstrapMeanCI([1], { seed: 1, level: 1 })).toThrow(/confidence level/);
  });
});

describe('pairedBootstrap', () => {
  it('finds no difference between identical systems', () => {
    expect(pairedBootstrap(scores, scores, { seed: 5 })).toEqual({ diff: 0, low: 0, high: 0, pValue: 1 });
  });

  it('gives a small p for clearly different systems', () => {
    // a wins on 40 examples, b on 10: per-example differences are +1 (40×) and −1 (10×), mean 0.6
    const a = [...Array<number>(40).fill(1), ...Array<number>(10).fill(0)];
    const b = [...Array<number>(40).fill(0), ...Array<number>(10).fill(1)];
    const result = pairedBootstrap(a, b, { seed: 5, resamples: 2000 });
    expect(result.diff).toBeCloseTo(0.6, 12);
    expect(result.pValue).toBeLessThan(0.01);
    expect(result.low).toBeGreaterThan(0);
    expect(result.high).toBeLessThanOrEqual(1);
    expect(pairedBootstrap(b, a, { seed: 5, resamples: 2000 }).diff).toBeCloseTo(-0.6, 12);
  });

  it('is deterministic for a fixed seed', () => {
    const b = scores.map((x, i) => (i % 3 === 0 ? 1 - x : x));
    expect(pairedBootstrap(scores, b, { seed: 9 })).toEqual(pairedBootstrap(scores, b, { seed: 9 }));
  });

  it('validates its input', () => {
    expect(() => pairedBootstrap([1, 0], [1], { seed: 1 })).toThrow(/got 2 and 1/);
    expect(() => pairedBootstrap([], [], { seed: 1 })).toThrow(/at least one score/);
  });
});

describe('pairedPermutationTest', () => {
  it('gives p = 1 for identical systems', () => {
    expect(pairedPermutationTest(scores, scores, { seed: 1 })).toEqual({ diff: 0, pValue: 1, permutations: 10_000 });
  });

  it('agrees with the exact sign-flip distribution, enumerated over all 2^11 patterns', () => {
    // 11 differences (not a multiple of 8: the sums are looked up 8 signs at a time)
    const d = [0.9, -0.2, 0.35, 0.1, 0.6, -0.45, 0.3, 0.05, 0.7, -0.1, 0.25];
    const observed = Math.abs(d.reduce((s, x) => s + x, 0));
    let asExtreme = 0;
    for (let mask = 0; mask < 2 ** d.length; mask++) {
      const sum = d.reduce((s, x, j) => s + ((mask >> j) & 1 ? x : -x), 0);
      if (Math.abs(sum) >= observed - 1e-9) asExtreme++;
    }
    const exact = asExtreme / 2 ** d.length;
    const r = pairedPermutationTest(
      d,
      d.map(() => 0),
      { seed: 9, permutations: 50_000 },
    );
    // Monte Carlo standard error √(p(1 − p)/50,000) < 0.0023: 4 of them
    expect(Math.abs(r.pValue - exact)).toBeLessThan(0.009);
  });

  it('stops early once enough patterns were as extreme, with p = that count / patterns drawn', () => {
    // one difference of eight: every pattern is as extreme (|±1| = 1), so it stops at the 50th with p = 1
    const a = [1, 0, 0, 0, 0, 0, 0, 0];
    const b = [0, 0, 0, 0, 0, 0, 0, 0];
    expect(pairedPermutationTest(a, b, { seed: 1, stopAfterExtreme: 50 })).toEqual({
      diff: 1 / 8,
      pValue: 1,
      permutations: 50,
    });
    // two differences of +1: half the patterns (++ and −−) are as extreme, so the 50th comes after
    // about 100 draws; p is 50 / draws (Besag–Clifford), near ½
    const half = pairedPermutationTest([1, 1], [0, 0], { seed: 2, stopAfterExtreme: 50 });
    expect(half.pValue).toBe(50 / half.permutations);
    expect(half.pValue).toBeGreaterThan(0.35);
    expect(half.pValue).toBeLessThan(0.65);
    // twenty differences of +1: extreme patterns are 2 in 2^20, the stop is never reached
    const clear = pairedPermutationTest(Array<number>(20).fill(1), Array<number>(20).fill(0), {
      seed: 3,
      permutations: 2000,
      stopAfterExtreme: 50,
    });
    expect(clear.permutations).toBe(2000);
    expect(clear.pValue).toBeLessThan(0.01);
  });

  it('gives p = 1 for a single example: both signs are as extreme as the observation', () => {
    expect(pairedPermutationTest([1], [0], { seed: 1, permutations: 99 }).pValue).toBe(1);
  });

  it('gives p ≈ ½ for two equal differences: only equal signs reach |mean| = 1', () => {
    expect(pairedPermutationTest([1, 1], [0, 0], { seed: 2, permutations: 10_000 }).pValue).toBeCloseTo(0.5, 1);
  });

  it('gives a small p for clearly different systems', () => {
    // all 20 differences are +1: only the two all-equal sign patterns (2/2^20) are as extreme
    const result = pairedPermutationTest(Array<number>(20).fill(1), Array<number>(20).fill(0), { seed: 3 });
    expect(result.diff).toBe(1);
    expect(result.pValue).toBeLessThan(0.001);
    expect(result.pValue).toBeGreaterThan(0); // the +1 correction
  });

  it('is deterministic for a fixed seed and validates its input', () => {
    const b = scores.map((x, i) => (i % 4 === 0 ? 1 - x : x));
    expect(pairedPermutationTest(scores, b, { seed: 4 })).toEqual(pairedPermutationTest(scores, b, { seed: 4 }));
    expect(() => pairedPermutationTest([1], [1, 2], { seed: 1 })).toThrow(RangeError);
    expect(() => pairedPermutationTest([1], [1], { seed: 1, permutations: 1.5 })).toThrow(/positive integer/);
  });
});
