import { ANALYZER_DESCRIPTION } from './analyzer';

/**
 * What a BM25 run was made with, recorded in provenance so a number can be traced to its settings.
 * `flat` indexes `title + " " + text` as one field, as Pyserini's BEIR "flat" indexes do.
 */
export interface Bm25Config {
  variant: 'flat';
  k1: number;
  b: number;
  fields: readonly string[];
  analyzer: typeof ANALYZER_DESCRIPTION;
  idf: string;
  lengthNorm: string;
  tieBreak: string;
}

/** Anserini/Pyserini defaults (DOMAIN.md §4); the classic papers use k1 = 1.2, b = 0.75. */
export const ANSERINI_BM25 = { k1: 0.9, b: 0.4 } as const;

export function bm25Config(params: { k1?: number; b?: number } = {}): Bm25Config {
  const k1 = params.k1 ?? ANSERINI_BM25.k1;
  const b = params.b ?? ANSERINI_BM25.b;
  if (!Number.isFinite(k1) || k1 < 0) throw new Error(`bm25: k1 must be a finite number ≥ 0, got ${k1}`);
  if (!Number.isFinite(b) || b < 0 || b > 1) throw new Error(`bm25: b must be a number in [0, 1], got ${b}`);
  return {
    variant: 'flat',
    k1,
    b,
    fields: ['title', 'text'],
    analyzer: ANALYZER_DESCRIPTION,
    idf: 'ln(1 + (N - df + 0.5) / (df + 0.5))',
    lengthNorm: 'lucene byte4 (SmallFloat.intToByte4) document length, exact avgdl',
    tieBreak: 'score desc, then docid desc as UTF-8 bytes (trec_eval order)',
  };
}
