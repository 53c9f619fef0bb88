import { compareUtf8 } from '@trueboard/metrics';
import type { Candidate } from '../formats/types';
import { analyze } from './analyzer';
import { type Bm25Document, type Bm25Index, flatContents } from './bm25-index';
import { bm25Idf, bm25TermScore, compareHits } from './bm25-search';

/**
 * RM3 pseudo-relevance feedback (Lavrenko & Croft's relevance model RM1, interpolated with the query)
 * as Anserini's `Rm3Reranker` computes it (io.anserini.rerank.lib.Rm3Reranker and
 * io.anserini.util.FeatureVector; Pyserini's `set_rm3()` calls it), over our Lucene-like BM25 index:
 *
 * 1. query vector: the analyzed query terms counted, scaled to sum 1 (`FeatureVector.fromTerms`);
 * 2. for each of the top `fbDocs` documents of the first stage: its term frequencies, keeping only
 *    feedback-eligible terms (2–20 characters, `[a-z0-9]+` only, in at most 10% of the documents),
 *    pruned to its `fbTerms` most frequent terms;
 * 3. RM1: weight(t) = Σ_d tf(t, d) / |d|₁ · score(d), where |d|₁ is the sum of the pruned vector and
 *    score(d) the raw first-stage BM25 score (Anserini's choice; the textbook model uses P(Q|d));
 *    a document with no eligible term adds nothing; pruned to `fbTerms`, scaled to sum 1;
 * 4. RM3: originalQueryWeight · query + (1 − originalQueryWeight) · RM1, over the union of terms;
 * 5. the expanded query scores a document as Σ_t weight(t) · BM25(t, d) (a Lucene BooleanQuery of
 *    BoostQuery(TermQuery) clauses), with the index's k1, b, idf and one-byte lengths.
 *
 * Where it differs from Anserini:
 * - it RE-RANKS the given candidates (the board's rule: a run ranks only the candidates); Anserini
 *   searches the whole index with the expanded query, so it may bring in documents the first stage missed;
 * - ties when pruning (equal term frequencies are common) go to the term first in byte order; Anserini
 *   keeps whichever its hash map iterates first, which is unspecified, so the chosen terms can differ;
 * - arithmetic is in doubles; Anserini and Lucene use float32, so near-equal scores may swap places;
 * - document vectors come from re-analyzing title + text (what Anserini's stored term vectors hold).
 */
export interface Rm3Params {
  /** feedback documents: the top `fbDocs` of the first-stage ranking */
  fbDocs: number;
  /** terms kept per feedback document and in the relevance model */
  fbTerms: number;
  /** the original query's share of the expanded query, in [0, 1] */
  originalQueryWeight: number;
}

/** Anserini and Pyserini defaults (`-rm3`, `set_rm3()`). */
export const ANSERINI_RM3: Rm3Params = { fbDocs: 10, fbTerms: 10, originalQueryWeight: 0.5 };

/** Anserini's feedback-term filter: terms in more than this share of the documents are not used. */
export const MAX_FEEDBACK_DF_RATIO = 0.1;

/** A sparse term vector: term → weight. */
export type TermVector = Map<string, number>;

export function rm3Config(params: Partial<Rm3Params> = {}) {
  const p = { ...ANSERINI_RM3, ...params };
  if (!Number.isInteger(p.fbDocs) || p.fbDocs < 1)
    throw new Error(`rm3: fbDocs must be an integer ≥ 1, got ${p.fbDocs}`);
  if (!Number.isInteger(p.fbTerms) || p.fbTerms < 1)
    throw new Error(`rm3: fbTerms must be an integer ≥ 1, got ${p.fbTerms}`);
  const w = p.originalQueryWeight;
  if (!Number.isFinite(w) || w < 0 || w > 1)
    throw new Error(`rm3: originalQueryWeight must be a number in [0, 1], got ${w}`);
  return {
    ...p,
    model: 'RM3 as Anserini Rm3Reranker: RM1 weight Σ tf/|d|·bm25(d), pruned to fbTerms, L1-normalised',
    feedbackTerms: `2–20 chars, [a-z0-9]+, df/N ≤ ${MAX_FEEDBACK_DF_RATIO}; top fbTerms per document`,
    pruneTies: 'equal weights: term in byte order first',
    scope: 're-ranks the given candidates only',
  };
}

/** Weight descending, then term ascending by bytes: the deterministic order used to prune. */
function byWeight(a: [string, number], b: [string, number]): number {
  return a[1] !== b[1] ? b[1] - a[1] : compareUtf8(a[0], b[0]);
}

/** The `k` heaviest entries (`FeatureVector.pruneToSize`), in weight order. */
export function pruneToSize(v: TermVector, k: number): TermVector {
  return new Map([...v].sort(byWeight).slice(0, k));
}

/** The vector divided by the sum of its absolute weights (`scaleToUnitL1Norm`); an all-zero vector is kept. */
export function scaleToUnitL1(v: TermVector): TermVector {
  let norm = 0;
  for (const w of v.values()) norm += Math.abs(w);
  return norm === 0 ? new Map(v) : new Map([...v].map(([t, w]) => [t, w / norm]));
}

/** Whether a term may be a feedback term: Anserini's length, character and document-frequency filter. */
export function feedbackTermAllowed(term: string, df: number, numDocs: number): boolean {
  if (term.length < 2 || term.length > 20 || !/^[a-z0-9]+$/.test(term)) return false;
  return df / numDocs <= MAX_FEEDBACK_DF_RATIO;
}

/** A feedback document's term frequencies, eligible terms only, pruned to its `fbTerms` most frequent. */
export function feedbackDocVector(terms: readonly string[], index: Bm25Index, fbTerms: number): TermVector {
  const tf: TermVector = new Map();
  for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
  const numDocs = index.ids.length;
  for (const t of [...tf.keys()]) {
    if (!feedbackTermAllowed(t, index.postings.get(t)?.docs.length ?? 0, numDocs)) tf.delete(t);
  }
  return pruneToSize(tf, fbTerms);
}

/** RM1 over the feedback documents (terms and first-stage score), pruned to `fbTerms` and scaled to sum 1. */
export function relevanceModel(
  feedback: readonly { terms: readonly string[]; score: number }[],
  index: Bm25Index,
  params: Pick<Rm3Params, 'fbTerms'>,
): TermVector {
  const weights: TermVector = new Map();
  for (const doc of feedback) {
    const v = feedbackDocVector(doc.terms, index, params.fbTerms);
    let norm = 0;
    for (const w of v.values()) norm += w;
    // an empty vector adds nothing (Anserini skips norms ≤ 0.001; counts make any other norm ≥ 1)
    for (const [t, w] of v) weights.set(t, (weights.get(t) ?? 0) + (w / norm) * doc.score);
  }
  return scaleToUnitL1(pruneToSize(weights, params.fbTerms));
}

/** The query's analyzed terms, counted and scaled to sum 1. */
export function queryVector(terms: readonly string[]): TermVector {
  const v: TermVector = new Map();
  for (const t of terms) v.set(t, (v.get(t) ?? 0) + 1);
  return scaleToUnitL1(v);
}

/** weight · query + (1 − weight) · model over the union of their terms, in weight order. */
export function interpolate(query: TermVector, model: TermVector, weight: number): TermVector {
  const out: TermVector = new Map();
  for (const t of new Set([...query.keys(), ...model.keys()])) {
    out.set(t, weight * (query.get(t) ?? 0) + (1 - weight) * (model.get(t) ?? 0));
  }
  return new Map([...out].sort(byWeight));
}

/** The term frequency of document `doc` (a position in the index) in a sorted postings list, else 0. */
function tfIn(docs: Int32Array, tfs: Int32Array, doc: number): number {
  let lo = 0;
  let hi = docs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const d = docs[mid] ?? 0;
    if (d === doc) return tfs[mid] ?? 0;
    if (d < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** Σ_t weight(t) · BM25(t, doc) for the document at position `doc` of the index. */
export function weightedBm25(index: Bm25Index, query: TermVector, doc: number): number {
  const { k1, b } = index.config;
  let score = 0;
  for (const [term, weight] of query) {
    const postings = index.postings.get(term);
    if (!postings || weight === 0) continue;
    const tf = tfIn(postings.docs, postings.tfs, doc);
    if (tf === 0) continue;
    const idf = bm25Idf(index.docCount, postings.docs.length);
    score += weight * bm25TermScore(idf, tf, index.lengths[doc] ?? 0, index.avgdl, k1, b);
  }
  return score;
}

/** What an RM3 re-ranking of one query produced: the expanded query and the re-scored candidates. */
export interface Rm3Result {
  expandedQuery: TermVector;
  ranked: Candidate[];
}

/**
 * An RM3 re-ranker over a corpus: for a query and its first-stage candidates (any order), takes the top
 * `fbDocs` candidates by score (ties by docid descending, trec_eval's order) as feedback, builds the
 * expanded query and re-scores every candidate with it. Returns them by new score, ties by docid descending.
 */
export function rm3Reranker(
  index: Bm25Index,
  corpus: ReadonlyMap<string, Bm25Document>,
  params: Partial<Rm3Params> = {},
) {
  const config = rm3Config(params);
  const positions = new Map(index.ids.map((id, i) => [id, i]));
  const position = (docid: string) => {
    const at = positions.get(docid);
    if (at === undefined) throw new Error(`rm3: candidate "${docid}" is not a document of the corpus`);
    return at;
  };
  return {
    config,
    rerank(query: string, candidates: readonly Candidate[]): Rm3Result {
      const first = [...candidates].sort(compareHits);
      const feedback = first.slice(0, config.fbDocs).map((c) => {
        position(c.docid);
        const doc = corpus.get(c.docid);
        return { terms: doc ? analyze(flatContents(doc)) : [], score: c.score };
      });
      const model = relevanceModel(feedback, index, config);
      const expandedQuery = interpolate(queryVector(analyze(query)), model, config.originalQueryWeight);
      const ranked = first.map((c) => ({
        docid: c.docid,
        score: weightedBm25(index, expandedQuery, position(c.docid)),
      }));
      return { expandedQuery, ranked: ranked.sort(compareHits) };
    },
  };
}
