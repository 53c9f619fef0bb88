/** BM25 first stage for the re-ranking family: Lucene-EnglishAnalyzer-like analysis and Lucene's BM25. */
export { ANALYZER_DESCRIPTION, analyze, stripPossessive } from './analyzer';
export { type Bm25Document, type Bm25Index, buildBm25Index, flatContents } from './bm25-index';
export { bm25Idf, bm25TermScore, compareHits, searchBm25 } from './bm25-search';
export { ANSERINI_BM25, type Bm25Config, bm25Config } from './config';
export { luceneLength } from './lucene-norms';
export {
  ANSERINI_RM3,
  feedbackDocVector,
  feedbackTermAllowed,
  interpolate,
  MAX_FEEDBACK_DF_RATIO,
  pruneToSize,
  queryVector,
  type Rm3Params,
  type Rm3Result,
  relevanceModel,
  rm3Config,
  rm3Reranker,
  scaleToUnitL1,
  type TermVector,
  weightedBm25,
} from './rm3';
export { LUCENE_ENGLISH_STOP_WORDS } from './stopwords';
export { tokenize } from './tokenizer';
