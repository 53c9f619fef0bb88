import { compareUtf8 } from '@trueboard/metrics';
import type { Candidate } from '../formats/types';
import { analyze } from './analyzer';
import type { Bm25Index } from './bm25-index';

/** Lucene's BM25 idf (always positive, unlike Robertson's original). */
export const bm25Idf = (docCount: number, df: number): number => Math.log(1 + (docCount - df + 0.5) / (df + 0.5));

/**
 * Lucene's BM25 term weight for one document (Lucene ≥ 8 drops the constant (k1 + 1) factor, which
 * does not change rankings): idf · tf / (tf + k1 · (1 - b + b · dl / avgdl)).
 */
export function bm25TermScore(idf: number, tf: number, dl: number, avgdl: number, k1: number, b: number): number {
  return (idf * tf) / (tf + k1 * (1 - b + (b * dl) / avgdl));
}

/**
 * Scores every document sharing a term with the query and returns the best `k`. A term repeated in
 * the query counts once per occurrence (Anserini's bag-of-words query boosts a term by its count).
 * Order: score descending, ties by docid descending as UTF-8 bytes — the order trec_eval imposes
 * on a run, so ranks written from this list survive re-sorting. Scores are doubles; Lucene sums
 * float32 values, so documents within ~1e-7 of each other may swap places relative to Anserini.
 */
export function searchBm25(index: Bm25Index, query: string, k: number): Candidate[] {
  if (!Number.isInteger(k) || k < 1) throw new Error(`bm25: k must be a positive integer, got ${k}`);
  const { k1, b } = index.config;
  const scores = new Float64Array(index.ids.length);
  const touched: number[] = [];
  for (const term of analyze(query)) {
    const postings = index.postings.get(term);
    if (!postings) continue;
    const idf = bm25Idf(index.docCount, postings.docs.length);
    for (let i = 0; i < postings.docs.length; i++) {
      const doc = postings.docs[i] ?? 0;
      if (scores[doc] === 0) touched.push(doc);
      scores[doc] =
        (scores[doc] ?? 0) + bm25TermScore(idf, postings.tfs[i] ?? 0, index.lengths[doc] ?? 0, index.avgdl, k1, b);
    }
  }
  const hits = touched.map((doc) => ({ docid: index.ids[doc] ?? '', score: scores[doc] ?? 0 }));
  hits.sort(compareHits);
  return hits.slice(0, k);
}

/** Score descending, then docid descending as bytes (trec_eval's `strcmp` on docnos, reversed). */
export function compareHits(a: Candidate, b: Candidate): number {
  if (a.score !== b.score) return b.score - a.score;
  return compareUtf8(b.docid, a.docid);
}
