import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type RunContext, type SessionProvenance, SubmissionError } from '@trueboard/contracts';
import { byteStringAt, byteStrings, type RunQuery } from '@trueboard/metrics';
import type { Candidates } from './candidates';
import {
  type BatchLimits,
  CrossEncoder,
  type OpenCrossEncoderOptions,
  type RerankQuery,
  rerankQueries,
  type ScoreStats,
} from './cross-encoder';
import { trecOrder } from './trec-order';

/** How a submitted model is run; the defaults are the platform's, tests and benches narrow them. */
export interface ModelLimits
  extends Pick<OpenCrossEncoderOptions, 'intraOpNumThreads' | 'probe' | 'batchTimeoutMs' | 'memoryMb'> {
  /** model.onnx above this is refused (default: the 2 GiB an ONNX protobuf can hold) */
  maxModelBytes?: number;
  batch?: BatchLimits;
}

export interface ModelRanking {
  /** the re-ranked candidates of every judged query that has candidates, as a run */
  run: RunQuery[];
  /** the ONNX session, with what identifies the model in its label */
  session: SessionProvenance;
  stats: ScoreStats;
  depth: number;
  maxLength: number;
  modelSha256: string;
}

/** What the model reads and ranks: the judged queries that have candidates, in qrels order. */
export interface ModelInputs {
  /** query id → text */
  queries: ReadonlyMap<string, string>;
  /** the judged query ids, in qrels order */
  judged: Iterable<string>;
  candidates: Candidates | null;
  /** the evaluator option `depth` */
  depth: number | undefined;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Runs a submitted cross-encoder directory on the benchmark's candidates: for every judged query,
 * the top `depth` candidates are re-scored by the model and come first by its logit, the rest follow
 * in first-stage order (rerankQueries), with scores that agree with that order. Progress goes to
 * ctx.progress over pairs (up to `share`), and ctx.signal stops it between batches.
 */
export async function rankWithModel(
  inputs: ModelInputs,
  dir: string,
  ctx: RunContext,
  limits: ModelLimits = {},
  share = 1,
): Promise<ModelRanking> {
  const c = inputs.candidates;
  if (!c) {
    throw new SubmissionError(
      'this benchmark names no first-stage candidates (evaluator option "candidates"), so there is nothing for a model to re-rank; model submissions need the benchmark\'s candidates option: submit a TREC run file instead, or with `trueboard eval` give --option candidates=<a run file in the dataset>',
    );
  }
  const root = await modelRoot(dir);
  const encoder = await CrossEncoder.open(root, ctx, limits);
  try {
    const modelSha256 = await sha256File(path.join(root, 'model.onnx'));
    const passages = await c.passages();
    const queries: RerankQuery[] = [];
    let longest = 0;
    for (const qid of inputs.judged) {
      const q = c.runs.get(qid);
      if (!q) continue;
      const allowed = c.allowed.get(qid);
      const text = inputs.queries.get(qid) ?? '';
      const candidates = trecOrder(q).map((i) => {
        const docId = byteStringAt(q.docs, i);
        // only the re-scored top `depth` is read; the rest keep their place by first-stage order
        return { docId, text: allowed?.has(docId) ? (passages.get(docId) ?? '') : '' };
      });
      longest = Math.max(longest, candidates.length);
      queries.push({ queryId: qid, text, candidates });
    }
    const depth = inputs.depth ?? longest;
    const pairs = queries.reduce((n, q) => n + Math.min(depth, q.candidates.length), 0);
    ctx.progress(0, `0 / ${count(pairs)} pairs`);
    const { ranked, stats } = await rerankQueries(encoder, queries, depth, {
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress(share * (done / total), `${count(done)} / ${count(total)} pairs`),
    });
    const maxLength = encoder.tokenizer.maxLength;
    ctx.log(
      'info',
      `cross-encoder on ${ctx.device}: ${count(stats.pairs)} pairs in ${count(stats.batches)} batches, ` +
        `${stats.pairsPerSecond.toFixed(0)} pairs/s, ${(100 * stats.outsideShare).toFixed(1)}% of the time outside session.run ` +
        `(tokenizing, batching, copying), padding ${(100 * stats.paddingShare).toFixed(1)}% of tokens; ` +
        `${count(stats.truncatedPassages)} passages cut to ${maxLength} tokens, ${count(stats.truncatedQueries)} queries cut`,
    );
    const run = [...ranked].map(([qid, docs]) => ({
      qid,
      docs: byteStrings(docs.map((d) => d.docId)),
      scores: Float64Array.from(docs, (d) => d.score),
    }));
    const session = {
      ...encoder.provenance,
      label: `cross-encoder: model.onnx sha256 ${modelSha256}, max length ${maxLength}, top ${depth} candidates re-ranked, ${stats.pairs} pairs`,
    };
    return { run, session, stats, depth, maxLength, modelSha256 };
  } finally {
    await encoder.release();
  }
}

/**
 * The directory holding model.onnx: the artifact's root, or its one folder when the archive was made
 * of the folder itself (`tar czf model.tar.gz my-model/`). Anything else is left to
 * readModelDirectory, which names what is missing.
 */
async function modelRoot(dir: string): Promise<string> {
  if (await isFile(path.join(dir, 'model.onnx'))) return dir;
  const entries = await readdir(dir, { withFileTypes: true });
  const only = entries.length === 1 ? entries[0] : undefined;
  if (only?.isDirectory() && (await isFile(path.join(dir, only.name, 'model.onnx')))) {
    return path.join(dir, only.name);
  }
  return dir;
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
