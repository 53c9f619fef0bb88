import { describe, expect, it } from 'vitest';
import { inverseNormalCdf, wilsonInterval, zForLevel } from '../src/wilson';

describe('wilsonInterval', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    // k = n: the lower bound reduces to n / (n + z²) = 29 / 32.8415 by hand
    [29, 29, 0.883, 1],
  ])('%i of %i → [%f, %f]', (k, n, low, high) => {
    const ci = wilsonInterval(k, n);
    expect(ci.low).toBeCloseTo(low, 4);
    expect(ci.high).toBeCloseTo(high, 4);
  });

  it('is uninformative for n = 0 and rejects impossible counts', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    expect(() => wilsonInterval(6, 5)).toThrow(/successes must be in \[0, n\]/);
    expect(() => wilsonInterval(1, 2.5)).toThrow(/non-negative integer/);
  });

  it('uses the normal quantile of the level', () => {
    expect(zForLevel(0.95)).toBeCloseTo(1.959964, 5);
    expect(zForLevel(0.99)).toBeCloseTo(2.575829, 5);
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 9);
    expect(() => zForLevel(1)).toThrow(/confidence level/);
  });
});
