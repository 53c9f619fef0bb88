/** Re-ranking input and output formats: BEIR and Rankify readers, TREC run and Rankify writers. */
export { type BeirDataset, type BeirOptions, readBeirDataset } from './beir';
export { type ReadFilter, readBeirCorpus, readBeirQueries } from './beir-jsonl';
export { BEIR_QRELS_HEADER, readBeirQrels } from './beir-qrels';
export { FormatError } from './format-error';
export {
  ANSWER_MATCH_NOTE,
  type AnswerMatchLabels,
  loadRankifyJson,
  parseRankify,
  RANKIFY_DEFAULT_MAX_BYTES,
  type RankifyData,
  type RankifyReadOptions,
  readRankify,
} from './rankify-read';
export { rerankRankify, writeRankifyJson, writeRerankedRankify } from './rankify-write';
export { formatScore, type TrecRunWriteOptions, trecRunLines, writeTrecRun } from './trec-run-write';
export type { Candidate, Passage, Qrels, Run } from './types';
