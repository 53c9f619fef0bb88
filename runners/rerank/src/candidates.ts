import { join } from 'node:path';
import { byteStringAt, type QrelsQuery, type RunQuery } from '@trueboard/metrics';
import { readTrecRunFile } from '@trueboard/metrics/trec-io';
import { lazyPassages } from './corpus';
import type { Qrels } from './formats/types';
import type { RerankOptions } from './options';
import { perQuery, scoreRun } from './report';
import { type ShownDoc, topDocs, trecOrder } from './trec-order';

/** The first stage of one qrels query, as every row of a benchmark with candidates shows it. */
export interface FirstStage {
  /** the candidates' own nDCG@10 for the query (0 when it has none), by the same code as submissions' */
  ndcg_cut_10: number;
  /** the candidates' first ten in trec_eval's order */
  top10: ShownDoc[];
}

/** A benchmark's first-stage run (evaluator option `candidates`), read once per prepared dataset. */
export interface Candidates {
  /** the file, as the options name it */
  name: string;
  /** query id → the candidates as read (every one, not only the top `depth`) */
  runs: ReadonlyMap<string, RunQuery>;
  /** query id → the top `depth` (all when unset): what a submitted run may rank, and what a model re-scores */
  allowed: ReadonlyMap<string, ReadonlySet<string>>;
  /** qrels query id → its first stage; every qrels query has one */
  firstStage: ReadonlyMap<string, FirstStage>;
  /** docid → passage for the re-scored documents, read from corpus.jsonl on first call (models only) */
  passages(): Promise<ReadonlyMap<string, string>>;
}

/**
 * Reads the candidates file of the dataset at `root` and scores it as a run, once, so that each row
 * can say how the submission compares with the first stage. A broken candidates file is the
 * benchmark's fault, not a submission's: plain errors naming the file.
 */
export async function readCandidates(
  root: string,
  name: string,
  options: RerankOptions,
  qrels: Qrels,
  qrelsQueries: readonly QrelsQuery[],
): Promise<Candidates> {
  const run = await readTrecRunFile(join(root, name), name);
  const runs = new Map(run.map((q) => [q.qid, q]));
  const allowed = new Map<string, Set<string>>();
  for (const q of run) {
    const top = trecOrder(q).slice(0, options.depth ?? q.docs.count);
    allowed.set(q.qid, new Set(top.map((i) => byteStringAt(q.docs, i))));
  }
  let evaluation: ReturnType<typeof scoreRun>;
  try {
    evaluation = scoreRun(run, qrelsQueries, options);
  } catch (err) {
    if (err instanceof RangeError) throw new Error(`${name} (the benchmark's candidates): ${err.message}`);
    throw err;
  }
  const ndcg = perQuery(evaluation, 'ndcg_cut_10');
  const firstStage = new Map<string, FirstStage>();
  evaluation.queries.forEach((qid, i) => {
    const q = runs.get(qid);
    const judged = qrels.get(qid) ?? new Map<string, number>();
    firstStage.set(qid, { ndcg_cut_10: ndcg[i] ?? 0, top10: q ? topDocs(q, 10, judged) : [] });
  });
  // a model re-scores the top `depth` of the judged queries only: the others count for nothing
  const needed = new Set<string>();
  for (const qid of qrels.keys()) for (const docid of allowed.get(qid) ?? []) needed.add(docid);
  const passages = lazyPassages(join(root, 'corpus.jsonl'), needed, name);
  return { name, runs, allowed, firstStage, passages };
}
