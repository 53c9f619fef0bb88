/**
 * The in-memory shapes the re-ranking readers produce and the writers take. They are plain maps so that
 * BM25, the cross-encoder and the metrics adapter can share them without depending on a file format.
 */

/** One candidate of a query: a document id and the score that ranked it. */
export interface Candidate {
  docid: string;
  score: number;
}

/** A run: query id → candidates in rank order (first = rank 1). Map order is the query order written. */
export type Run = Map<string, Candidate[]>;

/** What a re-ranker may see of a document. */
export interface Passage {
  title: string;
  text: string;
}

/** Judgments: query id → document id → integer label (negative = pooled but unjudged, as in trec_eval). */
export type Qrels = Map<string, Map<string, number>>;

/** Document and query ids end up as whitespace-separated TREC columns, so they may hold no whitespace. */
export function idProblem(id: string): string | null {
  if (id === '') return 'is empty';
  if (/\s/.test(id)) return `${JSON.stringify(id)} contains whitespace, which a TREC run cannot hold`;
  return null;
}
