import { pairedPermutationTest } from './permutation';
import { checkPaired } from './sample-stats';

/**
 * Exact McNemar test, two-sided: of the b + c discordant pairs (b: only the first system right, c:
 * only the second), each goes either way with probability ½ under H0, so
 * p = min(1, 2 · P(X ≤ min(b, c))) with X ~ Binomial(b + c, ½). No χ² approximation, no continuity
 * correction; |b − c| ≤ 1 gives p = 1.
 */
export function mcnemarExact(b: number, c: number): number {
  for (const [name, v] of [
    ['b', b],
    ['c', c],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  }
  const n = b + c;
  const m = Math.min(b, c);
  // b = c, or |b − c| = 1 (then P(X ≤ min) = ½ by symmetry): p = 1 exactly, not 1 − rounding
  if (2 * m + 1 >= n) return 1;
  // ln P(X = m) = ln C(n, m) − n ln 2, summed as logs: 2^−n underflows for n > 1074
  let lnChoose = 0;
  for (let i = 1; i <= m; i++) lnChoose += Math.log((n - m + i) / i);
  // P(X = k − 1) / P(X = k) = k / (n − k + 1): the tail summed from its largest term down
  let term = 1;
  let sum = 1;
  for (let k = m; k > 0 && term > 1e-17 * sum; k--) {
    term *= k / (n - k + 1);
    sum += term;
  }
  return Math.min(1, 2 * Math.exp(lnChoose - n * Math.LN2) * sum);
}

export type PairedTestName = 'mcnemar-exact' | 'sign-flip-permutation';

export interface PairedTestResult {
  test: PairedTestName;
  pValue: number;
  /** examples compared */
  n: number;
  /** exact McNemar only: examples only `a` got right, and only `b` got right */
  onlyA?: number;
  onlyB?: number;
  /** the permutation test only: sign patterns drawn */
  permutations?: number;
}

/**
 * The paired test for two systems' per-example results on the same examples (a[i] and b[i] score one
 * example): right/wrong verdicts (every value 0 or 1) get the exact McNemar test; graded scores
 * (Soft-F1, nDCG, …) a seeded sign-flip permutation test of the mean difference, stopped early
 * (Besag–Clifford) once `stopAfterExtreme` patterns were as extreme.
 */
export function pairedTest(
  a: readonly number[],
  b: readonly number[],
  options: { seed: number; permutations?: number; stopAfterExtreme?: number },
): PairedTestResult {
  checkPaired(a, b);
  const binary = (v: number) => v === 0 || v === 1;
  if (a.every(binary) && b.every(binary)) {
    let onlyA = 0;
    let onlyB = 0;
    a.forEach((x, i) => {
      const y = b[i];
      if (x === 1 && y === 0) onlyA++;
      else if (x === 0 && y === 1) onlyB++;
    });
    return { test: 'mcnemar-exact', pValue: mcnemarExact(onlyA, onlyB), n: a.length, onlyA, onlyB };
  }
  const r = pairedPermutationTest(a, b, options);
  return { test: 'sign-flip-permutation', pValue: r.pValue, n: a.length, permutations: r.permutations };
}
