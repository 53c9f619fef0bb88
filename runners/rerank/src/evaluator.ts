import { basename, join } from 'node:path';
import { type Evaluator, type EvaluatorReport, SubmissionError } from '@trueboard/contracts';
import { byteStringAt, compareByteStrings, type QrelsQuery, qrelsFromEntries } from '@trueboard/metrics';
import { readTrecRunFile } from '@trueboard/metrics/trec-io';
import { readBeirQueries } from './formats/beir-jsonl';
import { readBeirQrels } from './formats/beir-qrels';
import type { Qrels } from './formats/types';
import { parseRerankOptions, type RerankOptions } from './options';
import { rerankMetrics, rerankRows, scoreRun } from './report';
import { type RunRules, readSubmittedRun } from './run-check';

export const EVALUATOR_VERSION = '1.0.0';

export interface RerankPrepared {
  options: RerankOptions;
  qrels: Qrels;
  qrelsQueries: QrelsQuery[];
  /** query id → text, for every query of queries.jsonl (a run may rank any of them) */
  queries: Map<string, string>;
  rules: RunRules;
}

/** The candidates' top `depth` documents per query (all when `depth` is unset), by trec_eval's order. */
async function readCandidates(path: string, name: string, depth: number | undefined) {
  const run = await readTrecRunFile(path, name);
  const out = new Map<string, Set<string>>();
  for (const q of run) {
    const order = Array.from({ length: q.docs.count }, (_, i) => i).sort(
      (a, b) => (q.scores[b] ?? 0) - (q.scores[a] ?? 0) || compareByteStrings(q.docs, b, q.docs, a),
    );
    out.set(q.qid, new Set(order.slice(0, depth ?? order.length).map((i) => byteStringAt(q.docs, i))));
  }
  return out;
}

/**
 * The re-ranking evaluator: a submission is a TREC run file, scored on a BEIR dataset's qrels with
 * trec_eval semantics, averaged over every qrels query (`-c`). The same object runs in
 * `trueboard eval rerank` and on runners. It loads no model: re-rankers run on the submitter's side.
 */
export const rerankEvaluator: Evaluator<RerankPrepared> = {
  family: 'rerank',
  name: 'trueboard-rerank',
  version: EVALUATOR_VERSION,
  devices: ['cpu'],
  async prepare(bundle) {
    const options = parseRerankOptions(bundle.ref.evaluator);
    const qrelsName = `qrels/${options.split}.tsv`;
    const qrels = await readBeirQrels(join(bundle.root, 'qrels', `${options.split}.tsv`), qrelsName);
    const queries = await readBeirQueries(join(bundle.root, 'queries.jsonl'), { name: 'queries.jsonl' });
    for (const qid of qrels.keys()) {
      if (!queries.has(qid)) throw new Error(`${qrelsName}: query '${qid}' is judged but not in queries.jsonl`);
    }
    const qrelsQueries = qrelsFromEntries(
      [...qrels].flatMap(([qid, docs]) => [...docs].map(([docid, label]) => ({ qid, docid, label }))),
    );
    const candidates = options.candidates
      ? await readCandidates(join(bundle.root, options.candidates), options.candidates, options.depth)
      : null;
    return { options, qrels, qrelsQueries, queries, rules: { queries: new Set(queries.keys()), candidates } };
  },
  async evaluate(p, artifact, ctx): Promise<EvaluatorReport> {
    const name = basename(artifact.path);
    const run = await readSubmittedRun(artifact.path, name, p.rules);
    ctx.progress(0.5, `read ${run.length} queries`);
    let evaluation: ReturnType<typeof scoreRun>;
    try {
      evaluation = scoreRun(run, p.qrelsQueries, p.options);
    } catch (err) {
      // no query in both the run and the qrels: the submission ranked other queries than the split's
      if (err instanceof RangeError) throw new SubmissionError(`${name}: ${err.message}`);
      throw err;
    }
    const missing = evaluation.inRun.filter((x) => !x).length;
    ctx.log(
      'info',
      `${evaluation.queries.length} qrels queries, ${missing} missing from the run (scored 0, trec_eval -c); ` +
        `${evaluation.runOnlyQueries.length} run queries without qrels ignored; relevance threshold -l ${p.options.relevanceLevel}`,
    );
    return {
      family: 'rerank',
      metrics: rerankMetrics(evaluation, p.options, ctx.seed),
      examples: rerankRows(evaluation, run, p.qrels, p.queries, p.options),
      unscorable: 0,
      breakdowns: [],
    };
  },
};
