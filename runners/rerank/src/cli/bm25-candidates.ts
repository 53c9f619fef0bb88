import { join } from 'node:path';
import { buildBm25Index, searchBm25 } from '../bm25/index';
import { readBeirCorpus, readBeirQueries } from '../formats/beir-jsonl';
import { readBeirQrels } from '../formats/beir-qrels';
import { trecRunLines } from '../formats/trec-run-write';
import type { Candidate } from '../formats/types';

/** The tag of the runs written here, as the SciFact benchmark's own candidates (scripts/bm25-candidates.ts). */
export const BM25_RUN_TAG = 'bm25-flat';

type Progress = { update(value: number, message?: string): void; stop(): void };

/**
 * BM25 (the family's Anserini-default flat BM25 over title + text) top-`depth` candidates for the
 * queries judged in `qrels/<split>.tsv` of the BEIR directory `root`, as the text of a TREC run:
 * what `trueboard eval rerank --model … --candidates bm25` re-ranks. Only judged queries are
 * searched: the others are not scored.
 */
export async function bm25CandidatesText(
  root: string,
  split: string,
  depth: number,
  progress: (label: string, total: number) => Progress,
): Promise<{ text: string; queries: number; documents: number; config: Record<string, unknown> }> {
  const qrels = await readBeirQrels(join(root, 'qrels', `${split}.tsv`), `qrels/${split}.tsv`);
  const queries = await readBeirQueries(join(root, 'queries.jsonl'), { only: new Set(qrels.keys()) });
  for (const qid of qrels.keys()) {
    if (!queries.has(qid)) throw new Error(`qrels/${split}.tsv: query '${qid}' is judged but not in queries.jsonl`);
  }
  const corpus = await readBeirCorpus(join(root, 'corpus.jsonl'));
  const index = buildBm25Index(Array.from(corpus, ([id, passage]) => ({ id, ...passage })));
  const bar = progress('bm25 candidates', queries.size);
  const run: [string, Candidate[]][] = [];
  for (const [qid, text] of queries) {
    run.push([qid, searchBm25(index, text, depth)]);
    bar.update(run.length, `${run.length}/${queries.size} queries`);
  }
  bar.stop();
  const text = Array.from(trecRunLines(run, { tag: BM25_RUN_TAG, name: 'bm25 candidates' })).join('');
  return { text, queries: queries.size, documents: corpus.size, config: { ...index.config, depth } };
}
