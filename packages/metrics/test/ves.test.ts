import { describe, expect, it } from 'vitest';
import { removeOutliers, rVesScore, timeRatio, vesReward } from '../src/ves';

describe('vesReward', () => {
  it.each([
    [3, 1.25],
    [2, 1.25],
    [1.999, 1],
    [1, 1],
    [0.999, 0.75],
    [0.5, 0.75],
    [0.4999, 0.5],
    [0.25, 0.5],
    [0.2499, 0.25],
    [0, 0.25],
    [Number.POSITIVE_INFINITY, 1.25],
  ])('τ = %f → %f', (tau, reward) => {
    expect(vesReward(tau, true)).toBe(reward);
  });

  it('is 0 for an incorrect prediction whatever τ', () => {
    expect(vesReward(5, false)).toBe(0);
    expect(vesReward(Number.NaN, false)).toBe(0);
  });

  it('rejects a meaningless ratio', () => {
    expect(() => vesReward(Number.NaN, true)).toThrow(RangeError);
    expect(() => vesReward(-1, true)).toThrow(/non-negative/);
  });
});

describe('removeOutliers', () => {
  it('drops values at least 3 population SDs from the mean', () => {
    // 19 ones and a 100: mean = 119/20 = 5.95, σ² = 10019/20 − 5.95² = 465.5475, σ ≈ 21.58, 3σ ≈ 64.73;
    // |100 − 5.95| = 94.05 > 3σ (dropped), |1 − 5.95| = 4.95 (kept)
    const times = [...Array<number>(19).fill(1), 100];
    expect(removeOutliers(times)).toEqual(Array<number>(19).fill(1));
  });

  it('keeps everything when nothing is extreme', () => {
    // with n ≤ 10 no point can be 3 population SDs away: max |z| = (n − 1)/√n
    expect(removeOutliers([1, 2, 3, 100])).toEqual([1, 2, 3, 100]);
  });

  it('returns the input when n < 2 or when nothing would be kept (σ = 0)', () => {
    expect(removeOutliers([])).toEqual([]);
    expect(removeOutliers([4])).toEqual([4]);
    expect(removeOutliers([2, 2, 2])).toEqual([2, 2, 2]);
  });
});

describe('timeRatio', () => {
  it('averages per-repetition ratios, not a ratio of mean times', () => {
    // ratios 1/1 = 1 and 1/4 = 0.25 → mean 0.625 (reward 0.75); mean(gold)/mean(pred) = 1/2.5 = 0.4 would give 0.5
    expect(timeRatio([1, 1], [1, 4])).toBeCloseTo(0.625, 12);
    expect(timeRatio([2, 2, 2], [1, 1, 1])).toBe(2);
  });

  it('removes outlying ratios first', () => {
    // ratios: nineteen 1s and one 100 → the 100 is dropped (see removeOutliers) → 1
    const gold = [...Array<number>(19).fill(1), 100];
    expect(timeRatio(gold, Array<number>(20).fill(1))).toBe(1);
  });

  it('needs paired, valid timings', () => {
    expect(() => timeRatio([], [])).toThrow(/at least one/);
    expect(() => timeRatio([1, 2], [1])).toThrow(/one predicted time per gold time/);
    expect(() => timeRatio([-1], [1])).toThrow(/finite and ≥ 0/);
    expect(() => timeRatio([0], [0])).toThrow(/zero gold and zero predicted time/);
  });
});

describe('rVesScore', () => {
  it('is mean(sqrt(reward)) × 100', () => {
    // (√1.25 + √1 + √0.25 + √0) / 4 × 100 = (1.1180339887 + 1 + 0.5 + 0) / 4 × 100 = 65.4508497
    expect(rVesScore([1.25, 1, 0.25, 0])).toBeCloseTo(65.4508497, 6);
    expect(rVesScore([1, 1])).toBe(100);
    expect(rVesScore([])).toBe(0);
  });
});
