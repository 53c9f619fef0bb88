/** How pairs are grouped for session.run. */
export interface BatchLimits {
  /** most tokens in a batch counting padding: pairs × the longest pair's length */
  tokenBudget: number;
  /** most pairs in a batch whatever their length */
  maxBatch: number;
}

/** A budget that keeps CPU batches in cache and GPU batches busy; a lone longer pair still gets its own batch. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { tokenBudget: 16_384, maxBatch: 128 };

/**
 * Groups pair indices into batches of similar length: sorted by length, cut when one more pair would
 * push pairs × padded length over the budget. Every pair in a batch is padded to the batch's longest,
 * so sorting first keeps that padding small. Ties keep their input order, so the plan is a function of
 * the lengths alone. The caller restores the input order from the indices.
 */
export function planBatches(lengths: ArrayLike<number>, limits: BatchLimits = DEFAULT_BATCH_LIMITS): number[][] {
  if (!(limits.tokenBudget >= 1) || !(limits.maxBatch >= 1)) {
    throw new Error(`batch limits must be at least 1, got ${JSON.stringify(limits)}`);
  }
  const order = Array.from({ length: lengths.length }, (_, i) => i);
  order.sort((a, b) => (lengths[a] ?? 0) - (lengths[b] ?? 0) || a - b);
  const batches: number[][] = [];
  let batch: number[] = [];
  for (const i of order) {
    const padded = (batch.length + 1) * (lengths[i] ?? 0);
    if (batch.length > 0 && (padded > limits.tokenBudget || batch.length >= limits.maxBatch)) {
      batches.push(batch);
      batch = [];
    }
    batch.push(i);
  }
  if (batch.length) batches.push(batch);
  return batches;
}
