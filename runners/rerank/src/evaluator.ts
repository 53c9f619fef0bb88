import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  type ArtifactFile,
  type Evaluator,
  type EvaluatorReport,
  type RunContext,
  type SessionProvenance,
  SubmissionError,
} from '@trueboard/contracts';
import { type QrelsQuery, qrelsFromEntries, type RunQuery } from '@trueboard/metrics';
import { type Candidates, readCandidates } from './candidates';
import { readBeirQueries } from './formats/beir-jsonl';
import { readBeirQrels } from './formats/beir-qrels';
import type { Qrels } from './formats/types';
import { type ModelLimits, rankWithModel } from './model-eval';
import { parseRerankOptions, type RerankOptions } from './options';
import { rerankMetrics, rerankRows, scoreRun } from './report';
import { MAX_STORED_RANKING } from './rows';
import { type RunRules, readSubmittedRun } from './run-check';

/**
 * 1.1.0: model directories are taken, and rows carry first_stage and change when there are candidates.
 * 1.2.0: a model's rows carry its whole ranking of the query (`ranking`), for the downloads.
 */
export const EVALUATOR_VERSION = '1.2.0';

export interface RerankPrepared {
  options: RerankOptions;
  qrels: Qrels;
  qrelsQueries: QrelsQuery[];
  /** query id → text, for every query of queries.jsonl (a run may rank any of them) */
  queries: Map<string, string>;
  rules: RunRules;
  /** the benchmark's first stage (option `candidates`), scored once; null without it */
  candidates: Candidates | null;
}

/**
 * A model directory unpacks to: model.onnx (≤ 2 GiB, ONNX's own limit), tokenizer.json and a few
 * small JSON files. The bound stops a decompression bomb; the upload itself is limited by the family.
 */
const MAX_UNPACKED_BYTES = 2 * 1024 ** 3 + 256 * 1024 ** 2;
const MAX_ENTRIES = 100;

/**
 * The re-ranking evaluator. A submission is either a TREC run file, or an ONNX cross-encoder
 * directory (Hugging Face layout) that the evaluator runs on the benchmark's candidates; the model's
 * ranking is then scored exactly as a submitted run is. Scores are trec_eval's, averaged over every
 * qrels query (`-c`). The same object runs in `trueboard eval rerank` and on runners. `limits`
 * narrow how models run (tests); the platform uses the defaults.
 */
export function createRerankEvaluator(limits: ModelLimits = {}): Evaluator<RerankPrepared> {
  return {
    family: 'rerank',
    name: 'trueboard-rerank',
    version: EVALUATOR_VERSION,
    devices: ['cpu', 'cuda'],
    artifact: { kind: 'file-or-directory', maxUnpackedBytes: MAX_UNPACKED_BYTES, maxEntries: MAX_ENTRIES },
    prepare,
    async evaluate(p, artifact, ctx): Promise<EvaluatorReport> {
      if (await isDirectory(artifact)) return evaluateModel(p, artifact, ctx, limits);
      const name = basename(artifact.path);
      const run = await readSubmittedRun(artifact.path, name, p.rules);
      ctx.progress(0.5, `read ${run.length} queries`);
      return report(p, run, name, ctx);
    },
  };
}

export const rerankEvaluator = createRerankEvaluator();

async function prepare(bundle: Parameters<Evaluator['prepare']>[0]): Promise<RerankPrepared> {
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
    ? await readCandidates(bundle.root, options.candidates, options, qrels, qrelsQueries)
    : null;
  return {
    options,
    qrels,
    qrelsQueries,
    queries,
    rules: { queries: new Set(queries.keys()), candidates: candidates?.allowed ?? null },
    candidates,
  };
}

/** The harness says what it unpacked; a caller that does not (a bare path) is asked of the disk. */
async function isDirectory(artifact: ArtifactFile): Promise<boolean> {
  if (artifact.kind !== undefined) return artifact.kind === 'directory';
  return (await stat(artifact.path)).isDirectory();
}

/** Runs the submitted cross-encoder on the candidates, then scores its ranking as a run. */
async function evaluateModel(
  p: RerankPrepared,
  artifact: ArtifactFile,
  ctx: RunContext,
  limits: ModelLimits,
): Promise<EvaluatorReport> {
  const inputs = {
    queries: p.queries,
    judged: p.qrels.keys(),
    candidates: p.candidates,
    depth: p.options.depth,
  };
  const ranking = await rankWithModel(inputs, artifact.path, ctx, limits, 0.95);
  const missing = p.qrels.size - ranking.run.length;
  if (missing > 0) ctx.log('info', `${missing} qrels queries have no candidates: the model ranks nothing for them`);
  const deep = ranking.run.filter((q) => q.docs.count > MAX_STORED_RANKING).length;
  if (deep > 0) {
    ctx.log(
      'info',
      `${deep} queries rank more than ${MAX_STORED_RANKING} candidates: their rows keep the first ${MAX_STORED_RANKING}, and so do the downloads`,
    );
  }
  return report(p, ranking.run, 'the model', ctx, [ranking.session], true);
}

function report(
  p: RerankPrepared,
  run: RunQuery[],
  name: string,
  ctx: RunContext,
  sessions?: SessionProvenance[],
  keepRanking = false,
): EvaluatorReport {
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
  ctx.progress(1, `scored ${evaluation.queries.length} queries`);
  return {
    family: 'rerank',
    metrics: rerankMetrics(evaluation, p.options, ctx.seed),
    examples: rerankRows(evaluation, run, p.qrels, p.queries, p.options, p.candidates?.firstStage ?? null, keepRanking),
    unscorable: 0,
    breakdowns: [],
    ...(sessions ? { provenance: { sessions } } : {}),
  };
}
