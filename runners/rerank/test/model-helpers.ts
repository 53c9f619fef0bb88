import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationReport, Evaluator, RunContext } from '@trueboard/contracts';
import { runLocal } from '@trueboard/kit';
import { CrossEncoder, type RankedDoc, rerankQueries } from '../src/cross-encoder';
import { rerankEvaluator } from '../src/evaluator';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Runs a model directory on the BEIR directory `root` through the kit's harness, as a runner hands it over. */
export function scoreModel(
  root: string,
  modelDir: string,
  settings: Record<string, unknown>,
  o: {
    evaluator?: Evaluator;
    seed?: number;
    signal?: AbortSignal;
    progress?: RunContext['progress'];
    log?: RunContext['log'];
  } = {},
): Promise<EvaluationReport> {
  return runLocal({
    evaluator: (o.evaluator ?? rerankEvaluator) as Evaluator,
    bundle: { root, ref: { benchmark: 'beir', version: 1, contentHash: sha256(root), files: [], evaluator: settings } },
    artifact: { sha256: sha256(modelDir), path: modelDir, mediaType: 'application/x-tar', kind: 'directory' },
    seed: o.seed ?? 7,
    device: 'cpu',
    signal: o.signal,
    progress: o.progress,
    log: o.log,
  });
}

/**
 * The model's ranking computed here from the files themselves, without the evaluator: BEIR passages
 * as `(title + " " + text).strip()`, each judged query's candidates in trec_eval's order (score
 * descending, docid descending), re-ranked by rerankQueries on a session of its own.
 */
export async function independentRanking(
  root: string,
  candidatesFile: string,
  modelDir: string,
  depth?: number,
): Promise<Map<string, RankedDoc[]>> {
  const lines = (file: string) =>
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
  const corpus = new Map(
    lines('corpus.jsonl').map((l) => {
      const d = JSON.parse(l);
      return [d._id as string, `${d.title ?? ''} ${d.text}`.trim()];
    }),
  );
  const queryText = new Map(lines('queries.jsonl').map((l) => [JSON.parse(l)._id, JSON.parse(l).text as string]));
  const judged = [
    ...new Set(
      lines('qrels/test.tsv')
        .slice(1)
        .map((l) => l.split('\t')[0] ?? ''),
    ),
  ];
  const lists = new Map<string, { docid: string; score: number }[]>();
  for (const l of lines(candidatesFile)) {
    const [qid = '', , docid = '', , score = ''] = l.trim().split(/\s+/);
    lists.set(qid, [...(lists.get(qid) ?? []), { docid, score: Number(score) }]);
  }
  const queries = judged
    .filter((qid) => lists.has(qid))
    .map((qid) => {
      const list = [...(lists.get(qid) ?? [])].sort(
        (a, b) => b.score - a.score || Buffer.compare(Buffer.from(b.docid), Buffer.from(a.docid)),
      );
      return {
        queryId: qid,
        text: queryText.get(qid) ?? '',
        candidates: list.map((c) => ({ docId: c.docid, text: corpus.get(c.docid) ?? '' })),
      };
    });
  const ce = await CrossEncoder.open(modelDir, { device: 'cpu' });
  try {
    const longest = Math.max(...queries.map((q) => q.candidates.length));
    return (await rerankQueries(ce, queries, depth ?? longest)).ranked;
  } finally {
    await ce.release();
  }
}

/** A ranking as TREC run lines, scores written so that they read back as the same float64. */
export function trecLines(ranking: Map<string, RankedDoc[]>): string {
  return [...ranking]
    .flatMap(([qid, docs]) => docs.map((d, i) => `${qid} Q0 ${d.docId} ${i + 1} ${d.score} model`))
    .join('\n');
}
