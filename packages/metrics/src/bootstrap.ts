import { checkCount, checkLevel, checkPaired, checkScores, mean, quantileSorted } from './sample-stats';

export interface BootstrapOptions {
  /** Number of resamples; default 1,000. */
  resamples?: number;
  /** Two-sided confidence level; default 0.95. */
  level?: number;
  /** PRNG seed: a fixed seed makes the interval reproducible. */
  seed: number;
}

/** Percentile-bootstrap confidence interval of the mean over examples (quantiles interpolated as numpy does). */
export function bootstrapMeanCI(values: readonly number[], options: BootstrapOptions): { low: number; high: number } {
  checkScores(values, 'values');
  const { resamples = 1000, level = 0.95, seed } = options;
  checkCount(resamples, 'resamples');
  checkLevel(level);
  return percentileInterval(resampledMeans(values, resamples, seed), level);
}

/**
 * Paired bootstrap over examples of the mean difference a − b: `diff` observed, a percentile interval, and a
 * two-sided p = 2 × min(share of resampled differences ≤ 0, share ≥ 0), capped at 1 (0 means p < 1/resamples).
 */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions,
): { diff: number; low: number; high: number; pValue: number } {
  checkPaired(a, b);
  const { resamples = 1000, level = 0.95, seed } = options;
  checkCount(resamples, 'resamples');
  checkLevel(level);
  const diffs = a.map((x, i) => x - (b[i] ?? Number.NaN));
  const means = resampledMeans(diffs, resamples, seed);
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (const m of means) {
    if (m <= 0) atOrBelow++;
    if (m >= 0) atOrAbove++;
  }
  const pValue = Math.min(1, (2 * Math.min(atOrBelow, atOrAbove)) / resamples);
  return { diff: mean(diffs), ...percentileInterval(means, level), pValue };
}

/**
 * Means of `resamples` samples drawn with replacement, sorted ascending. The draws are
 * `randomIndex(mulberry32(seed), n)`, written out inline: this loop runs resamples × n times.
 */
function resampledMeans(values: readonly number[], resamples: number, seed: number): number[] {
  const n = values.length;
  const xs = Float64Array.from(values, (v) => v ?? 0);
  const means = new Array<number>(resamples);
  let state = seed >>> 0;
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      // mulberry32 (random.ts), then randomIndex
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
      sum += xs[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)] as number;
    }
    means[r] = sum / n;
  }
  return means.sort((x, y) => x - y);
}

function percentileInterval(sortedMeans: readonly number[], level: number): { low: number; high: number } {
  const tail = (1 - level) / 2;
  return { low: quantileSorted(sortedMeans, tail), high: quantileSorted(sortedMeans, 1 - tail) };
}
