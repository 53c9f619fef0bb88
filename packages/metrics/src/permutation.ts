import { mulberry32 } from './random';
import { checkCount, checkPaired, mean } from './sample-stats';

export interface PermutationOptions {
  /** Number of random sign flips; default 10,000. */
  permutations?: number;
  /** PRNG seed: a fixed seed makes the p-value reproducible. */
  seed: number;
}

/**
 * Paired sign-flip permutation test of the mean difference a − b: each permutation flips the sign of each
 * per-example difference with probability ½; two-sided p = (1 + #{|permuted mean| ≥ |observed mean|}) / (1 + permutations).
 */
export function pairedPermutationTest(
  a: readonly number[],
  b: readonly number[],
  options: PermutationOptions,
): { diff: number; pValue: number } {
  checkPaired(a, b);
  const { permutations = 10_000, seed } = options;
  checkCount(permutations, 'permutations');
  const diffs = a.map((x, i) => x - (b[i] ?? Number.NaN));
  const n = diffs.length;
  const observed = Math.abs(mean(diffs));
  // Sums of the same terms in another sign pattern may differ by rounding: count near-ties as ties.
  const threshold = observed - 1e-12 * Math.max(1, observed);
  const rng = mulberry32(seed);
  let extreme = 0;
  for (let p = 0; p < permutations; p++) {
    let sum = 0;
    for (const d of diffs) sum += rng() < 0.5 ? d : -d;
    if (Math.abs(sum / n) >= threshold) extreme++;
  }
  return { diff: mean(diffs), pValue: (extreme + 1) / (permutations + 1) };
}
