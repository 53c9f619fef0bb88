import { mulberry32 } from './random';
import { checkCount, checkPaired, mean } from './sample-stats';

export interface PermutationOptions {
  /** Number of random sign flips at most; default 10,000. */
  permutations?: number;
  /** PRNG seed: a fixed seed makes the p-value reproducible. */
  seed: number;
  /**
   * Besag & Clifford's sequential stop (Biometrika 78, 1991): end as soon as this many sign patterns
   * were as extreme as the observation, with p = that count / patterns drawn (still a valid p-value).
   * A large p is then known after a few hundred patterns instead of all of them.
   */
  stopAfterExtreme?: number;
}

/**
 * Paired sign-flip permutation test of the mean difference a − b: each permutation flips the sign of each
 * per-example difference with probability ½; two-sided p = (1 + #{|permuted mean| ≥ |observed mean|}) / (1 + permutations).
 * `permutations` is how many sign patterns were drawn (fewer than asked when stopped early).
 */
export function pairedPermutationTest(
  a: readonly number[],
  b: readonly number[],
  options: PermutationOptions,
): { diff: number; pValue: number; permutations: number } {
  checkPaired(a, b);
  const { permutations = 10_000, seed, stopAfterExtreme } = options;
  checkCount(permutations, 'permutations');
  if (stopAfterExtreme !== undefined) checkCount(stopAfterExtreme, 'stopAfterExtreme');
  const diffs = a.map((x, i) => x - (b[i] ?? Number.NaN));
  const diff = mean(diffs);
  // an example both score alike adds ±0 under every sign pattern: only the others are flipped, and
  // the statistic is their sum (the mean times the constant n)
  const d = Float64Array.from(diffs.filter((x) => x !== 0));
  let observed = 0;
  let scale = 0;
  for (const x of d) {
    observed += x;
    scale += Math.abs(x);
  }
  // sums of the same terms in another sign pattern may differ by rounding: count near-ties as ties
  const threshold = Math.abs(observed) - 1e-10 * Math.max(1, scale);
  // the signed sum of each run of 8 differences under each of the 256 sign patterns: a permutation
  // is then one table lookup per 8 examples, its signs taken 8 at a time from a 32-bit draw
  const chunks = Math.ceil(d.length / 8);
  const table = new Float64Array(chunks * 256);
  for (let c = 0; c < chunks; c++) {
    const len = Math.min(8, d.length - 8 * c);
    for (let mask = 0; mask < 256; mask++) {
      let s = 0;
      for (let j = 0; j < len; j++) {
        const x = d[8 * c + j] ?? 0;
        s += (mask >> j) & 1 ? x : -x;
      }
      table[256 * c + mask] = s;
    }
  }
  const rng = mulberry32(seed);
  let extreme = 0;
  for (let drawn = 1; drawn <= permutations; drawn++) {
    let sum = 0;
    let bits = 0;
    for (let c = 0; c < chunks; c++) {
      if ((c & 3) === 0) bits = (rng() * 4294967296) >>> 0;
      sum += table[256 * c + ((bits >>> (8 * (c & 3))) & 255)] ?? 0;
    }
    if (Math.abs(sum) >= threshold && ++extreme === stopAfterExtreme) {
      return { diff, pValue: extreme / drawn, permutations: drawn };
    }
  }
  return { diff, pValue: (extreme + 1) / (permutations + 1), permutations };
}
