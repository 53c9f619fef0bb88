import { mulberry32, randomIndex } from './random';

/** 1-based ranks, ties sharing the average of the positions they span ("fractional" ranking). */
export function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]?.[1] ?? 0] = avg;
    i = j + 1;
  }
  return ranks;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] ?? 0) - ma;
    const db = (b[i] ?? 0) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? Number.NaN : sab / Math.sqrt(saa * sbb);
}

/** Spearman's ρ: Pearson correlation of the average ranks (ties handled). NaN when a side is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  checkPair(x, y);
  return pearson(averageRanks(x), averageRanks(y));
}

/** Kendall's τ-b: (concordant − discordant) / √((n0 − n1)(n0 − n2)), ties in x or y corrected. */
export function kendallTauB(x: readonly number[], y: readonly number[]): number {
  checkPair(x, y);
  let s = 0;
  let tx = 0;
  let ty = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign((x[i] ?? 0) - (x[j] ?? 0));
      const dy = Math.sign((y[i] ?? 0) - (y[j] ?? 0));
      if (dx === 0) tx++;
      if (dy === 0) ty++;
      s += dx * dy;
    }
  }
  const n0 = (n * (n - 1)) / 2;
  const denom = Math.sqrt((n0 - tx) * (n0 - ty));
  return denom === 0 ? Number.NaN : s / denom;
}

function checkPair(x: readonly number[], y: readonly number[]) {
  if (x.length !== y.length) throw new RangeError(`paired samples differ in length: ${x.length} vs ${y.length}`);
}

export interface CorrelationTest {
  value: number;
  /** two-sided: share of pairings of y with x whose |statistic| is at least the observed one */
  p: number;
  method: 'exact' | 'permutation';
  n: number;
}

const EXACT_UP_TO = 8;

/**
 * A rank correlation with its permutation p-value: exact over all n! pairings for n ≤ 8, else
 * `resamples` random pairings (seeded, so the same inputs give the same p).
 */
export function correlationTest(
  stat: (x: readonly number[], y: readonly number[]) => number,
  x: readonly number[],
  y: readonly number[],
  opts: { resamples?: number; seed?: number } = {},
): CorrelationTest {
  checkPair(x, y);
  const n = x.length;
  const observed = stat(x, y);
  if (!Number.isFinite(observed)) return { value: observed, p: Number.NaN, method: 'exact', n };
  const eps = 1e-12;
  let hits = 0;
  let total = 0;
  const count = (perm: readonly number[]) => {
    const v = stat(x, perm);
    total++;
    if (Math.abs(v) >= Math.abs(observed) - eps) hits++;
  };
  if (n <= EXACT_UP_TO) {
    const y2 = [...y];
    const permute = (k: number) => {
      if (k === n) return count(y2);
      for (let i = k; i < n; i++) {
        [y2[k], y2[i]] = [y2[i] ?? 0, y2[k] ?? 0];
        permute(k + 1);
        [y2[k], y2[i]] = [y2[i] ?? 0, y2[k] ?? 0];
      }
    };
    permute(0);
    return { value: observed, p: hits / total, method: 'exact', n };
  }
  const rng = mulberry32(opts.seed ?? 1);
  const y2 = [...y];
  for (let r = 0; r < (opts.resamples ?? 10_000); r++) {
    for (let i = n - 1; i > 0; i--) {
      const j = randomIndex(rng, i + 1);
      [y2[i], y2[j]] = [y2[j] ?? 0, y2[i] ?? 0];
    }
    count(y2);
  }
  // the observed pairing counts as one of the resamples (never p = 0)
  return { value: observed, p: (hits + 1) / (total + 1), method: 'permutation', n };
}
