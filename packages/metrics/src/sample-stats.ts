/** Arithmetic mean (NaN for an empty list). */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Quantile `p` of ascending `sorted` values by linear interpolation between order statistics (numpy's default). */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty list');
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const below = sorted[lo] ?? Number.NaN;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)] ?? below;
  return below === above ? below : below + (above - below) * (pos - lo);
}

/** Throws a RangeError unless `values` is a non-empty list of finite numbers. */
export function checkScores(values: readonly number[], name: string): void {
  if (values.length === 0) throw new RangeError(`${name} must hold at least one score`);
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}] must be a finite number, got ${v}`);
  });
}

/** Throws a RangeError unless `a` and `b` are paired per-example scores (same non-zero length, finite). */
export function checkPaired(a: readonly number[], b: readonly number[]): void {
  checkScores(a, 'a');
  checkScores(b, 'b');
  if (a.length !== b.length) {
    throw new RangeError(`paired scores need one score per example from each system; got ${a.length} and ${b.length}`);
  }
}

/** Throws a RangeError unless `n` is a positive integer. */
export function checkCount(n: number, name: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${n}`);
}

/** Throws a RangeError unless `level` is in (0, 1). */
export function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
}
