import type { RerankMeasure } from './rerank-measures';
import { ByteStringIndex, byteStringAt, compareByteStrings, type QrelsQuery, type RunQuery } from './trec-data';

/**
 * Per-query re-ranking measures with trec_eval 9.0.8 semantics (form_res_rels.c and the m_*.c files):
 * the run is ranked by score descending, ties by docid descending as bytes; a retrieved document's
 * relevance is its qrels label, NONPOOL (-1) when it is not in the qrels and UNJUDGED (-2) when its label
 * is negative. Only labels >= 0 are "judged": they make up the ideal vector and the relevant counts.
 */

const NONPOOL = -1;
const UNJUDGED = -2;

/** What a query's qrels contribute, computed once per query. */
export interface JudgedQuery {
  qrels: QrelsQuery;
  /** The distinct labels >= 0 of the judged documents, highest first, and how many documents have each. */
  levels: Int32Array;
  levelCounts: Float64Array;
}

export function judgeQuery(qrels: QrelsQuery): JudgedQuery {
  const index = new ByteStringIndex(qrels.docs);
  if (index.duplicate >= 0) {
    throw new RangeError(
      `qrels: query '${qrels.qid}' judges document '${byteStringAt(qrels.docs, index.duplicate)}' more than once`,
    );
  }
  // A map rather than trec_eval's array indexed by label, so that a stray huge label costs nothing.
  const counts = new Map<number, number>();
  for (const label of qrels.labels) if (label >= 0) counts.set(label, (counts.get(label) ?? 0) + 1);
  const levels = Int32Array.from(counts.keys()).sort().reverse();
  return { qrels, levels, levelCounts: Float64Array.from(levels, (l) => counts.get(l) ?? 0) };
}

/** Rejects what trec_eval would reject or silently mis-rank: non-finite scores and repeated documents. */
export function checkRunQuery(run: RunQuery): ByteStringIndex {
  const { qid, docs, scores } = run;
  if (scores.length !== docs.count) {
    throw new RangeError(`run: query '${qid}' has ${docs.count} documents but ${scores.length} scores`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) {
      throw new RangeError(`run: query '${qid}' document '${byteStringAt(docs, i)}' has score ${scores[i]}`);
    }
  }
  const index = new ByteStringIndex(docs);
  if (index.duplicate >= 0) {
    throw new RangeError(`run: query '${qid}' retrieves document '${byteStringAt(docs, index.duplicate)}' twice`);
  }
  return index;
}

/**
 * The relevance of each retrieved document in rank order (see the header for the values). `runIndex` is
 * what `checkRunQuery` returned for this run query.
 */
export function rankedRelevance(run: RunQuery, runIndex: ByteStringIndex, judged: JudgedQuery): Int32Array {
  const { docs, scores } = run;
  const n = docs.count;
  const relOf = new Int32Array(n).fill(NONPOOL);
  const { qrels } = judged;
  // Look the judged documents up in the run rather than the other way round: qrels are usually the shorter list.
  for (let j = 0; j < qrels.docs.count; j++) {
    const i = runIndex.find(qrels.docs, j);
    if (i >= 0) {
      const label = qrels.labels[j] ?? 0;
      relOf[i] = label < 0 ? UNJUDGED : label;
    }
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    const d = (scores[b] ?? 0) - (scores[a] ?? 0);
    return d !== 0 ? d : compareByteStrings(docs, b, docs, a);
  });
  const ranked = new Int32Array(n);
  for (let r = 0; r < n; r++) ranked[r] = relOf[order[r] ?? 0] ?? NONPOOL;
  return ranked;
}

/** Judged documents with label >= `level` (trec_eval's num_rel). */
export function relevantCount(judged: JudgedQuery, level: number): number {
  let count = 0;
  judged.levels.forEach((l, i) => {
    if (l >= level) count += judged.levelCounts[i] ?? 0;
  });
  return count;
}

/**
 * One measure on one query. `ranked` comes from `rankedRelevance`; `level` is trec_eval's `-l`. The loops
 * follow the C code's order of floating-point operations, so values agree to the last bit or two.
 */
export function measureQuery(m: RerankMeasure, ranked: Int32Array, judged: JudgedQuery, level: number): number {
  const numRet = m.depth === null ? ranked.length : Math.min(ranked.length, m.depth);
  const cut = m.cutoff === null ? numRet : Math.min(numRet, m.cutoff);
  switch (m.kind) {
    case 'ndcg_cut':
      return ndcgCut(ranked, cut, m.cutoff ?? 0, judged);
    case 'map': {
      let relSoFar = 0;
      let sum = 0;
      for (let i = 0; i < numRet; i++) {
        if ((ranked[i] ?? NONPOOL) >= level) {
          relSoFar++;
          sum += relSoFar / (i + 1);
        }
      }
      return relSoFar > 0 ? sum / relevantCount(judged, level) : 0;
    }
    case 'recip_rank': {
      for (let i = 0; i < numRet; i++) if ((ranked[i] ?? NONPOOL) >= level) return 1 / (i + 1);
      return 0;
    }
    case 'P':
      return countRelevant(ranked, cut, level) / (m.cutoff ?? 1);
    case 'recall': {
      const numRel = relevantCount(judged, level);
      return numRel === 0 ? 0 : countRelevant(ranked, cut, level) / numRel;
    }
    case 'success':
      return countRelevant(ranked, cut, level) > 0 ? 1 : 0;
  }
}

function countRelevant(ranked: Int32Array, end: number, level: number): number {
  let count = 0;
  for (let i = 0; i < end; i++) if ((ranked[i] ?? NONPOOL) >= level) count++;
  return count;
}

/** m_ndcg_cut.c: linear gain = the raw label (only > 0 counts), ideal vector from every judged document. */
function ndcgCut(ranked: Int32Array, end: number, cutoff: number, judged: JudgedQuery): number {
  let dcg = 0;
  for (let i = 0; i < end; i++) {
    const gain = ranked[i] ?? 0;
    if (gain > 0) dcg += gain / Math.log2(i + 2);
  }
  // The ideal ranking: every judged document with a positive label, highest label first, cut at the cutoff.
  let ideal = 0;
  let i = 0;
  judged.levels.forEach((lvl, li) => {
    const count = judged.levelCounts[li] ?? 0;
    for (let c = 0; lvl > 0 && c < count && i < cutoff; c++, i++) ideal += lvl / Math.log2(i + 2);
  });
  return ideal > 0 ? dcg / ideal : dcg;
}
