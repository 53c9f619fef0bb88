import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readBeirCorpus, readBeirQueries } from './beir-jsonl';
import { readBeirQrels } from './beir-qrels';
import { FormatError } from './format-error';
import type { Passage, Qrels } from './types';

export interface BeirOptions {
  /** the qrels split, read from `qrels/<split>.tsv` */
  split: string;
  /** keep only the queries the split judges (a benchmark uses its test queries only); default true */
  onlyJudgedQueries?: boolean;
  /** keep only these documents (e.g. the candidates to re-rank); default: the whole corpus */
  docids?: ReadonlySet<string>;
}

export interface BeirDataset {
  /** docid → {title, text} */
  corpus: Map<string, Passage>;
  /** query id → text; nothing else of a query is kept */
  queries: Map<string, string>;
  qrels: Qrels;
  /**
   * Judged documents absent from the corpus. Not an error: some BEIR releases judge a few such
   * documents, and the metrics still count them as relevant (the ideal ranking uses every judgment).
   * `null` when `docids` restricted the corpus, since the count is then unknown.
   */
  judgedDocsMissingFromCorpus: number | null;
}

const SPLIT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Reads a BEIR dataset directory: `corpus.jsonl`, `queries.jsonl` and `qrels/<split>.tsv`, each streamed
 * line by line. Every judged query must exist in `queries.jsonl`. Errors name the file relative to the
 * directory (`qrels/test.tsv line 4: …`).
 */
export async function readBeirDataset(dir: string, options: BeirOptions): Promise<BeirDataset> {
  if (!SPLIT.test(options.split)) {
    throw new FormatError(
      'qrels',
      '',
      `split ${JSON.stringify(options.split)} is not a plain file name (letters, digits, . _ -)`,
    );
  }
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new FormatError(dir, '', 'not a directory: expected a BEIR dataset directory');

  const qrelsName = `qrels/${options.split}.tsv`;
  const qrels = await readBeirQrels(join(dir, 'qrels', `${options.split}.tsv`), qrelsName);
  const judgedQueries = new Set(qrels.keys());
  const queries = await readBeirQueries(join(dir, 'queries.jsonl'), {
    name: 'queries.jsonl',
    only: options.onlyJudgedQueries === false ? undefined : judgedQueries,
  });
  for (const qid of judgedQueries) {
    if (!queries.has(qid))
      throw new FormatError(qrelsName, '', `query ${JSON.stringify(qid)} is judged but not in queries.jsonl`);
  }
  const corpus = await readBeirCorpus(join(dir, 'corpus.jsonl'), { name: 'corpus.jsonl', only: options.docids });
  let judgedDocsMissingFromCorpus: number | null = null;
  if (!options.docids) {
    judgedDocsMissingFromCorpus = 0;
    for (const judged of qrels.values())
      for (const docid of judged.keys()) if (!corpus.has(docid)) judgedDocsMissingFromCorpus++;
  }
  return { corpus, queries, qrels, judgedDocsMissingFromCorpus };
}
