/** One re-ranked result line: what a TREC run file holds for a document. */
export interface RankedDoc {
  docId: string;
  score: number;
}

/**
 * Merges cross-encoder logits for the first `logits.length` candidates (the re-ranked depth) with the
 * rest of the first-stage list. Re-ranked documents come first, by logit descending (equal logits keep
 * their first-stage order); the others follow in their first-stage order. Written scores strictly
 * decrease down the list, so a reader that sorts by score (trec_eval does, breaking ties by docno)
 * sees exactly this order: an equal logit is lowered by the smallest step that makes it distinct,
 * and documents beyond the depth get scores below the lowest logit, one step apart.
 */
export function mergeReranked(firstStage: readonly string[], logits: ArrayLike<number>): RankedDoc[] {
  if (logits.length > firstStage.length) {
    throw new Error(`${logits.length} logits for ${firstStage.length} candidates`);
  }
  const depth = logits.length;
  const order = Array.from({ length: depth }, (_, i) => i);
  order.sort((a, b) => (logits[b] ?? 0) - (logits[a] ?? 0) || a - b);
  const out: RankedDoc[] = [];
  let previous = Number.POSITIVE_INFINITY;
  for (const i of order) {
    let score = logits[i] ?? 0;
    if (score >= previous) score = below(previous);
    out.push({ docId: firstStage[i] ?? '', score });
    previous = score;
  }
  const floor = depth > 0 ? previous : 0;
  // a step of 1 reads well in a run file; for huge logits it must still change the float64
  const step = Math.max(1, Math.abs(floor) * 2 ** -40);
  for (let i = depth; i < firstStage.length; i++) {
    out.push({ docId: firstStage[i] ?? '', score: floor - (i - depth + 1) * step });
  }
  return out;
}

/** The largest float64 below x (x finite). */
function below(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
  return view.getFloat64(0);
}
