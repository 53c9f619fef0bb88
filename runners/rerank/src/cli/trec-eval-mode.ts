import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { EvalCliHost } from '@trueboard/contracts';
import { evaluateRerank, type RerankEvaluation } from '@trueboard/metrics';
import type { TrecEvalMode } from './modes';
import { parseMetricsList, trecEvalLines, trecEvalName } from './trec-eval-print';
import { readQrelsInput, readRunInput, repeatedDocument } from './trec-inputs';

/**
 * `trueboard eval rerank --qrels <file> --run <file>`: trec_eval 9.0.8 on two files, printed as it
 * prints (`-c` is `--complete`, `-l` is `--rel-level`, `-q` is `--per-query`), no dataset needed.
 * Resolves to the exit code.
 */
export async function runTrecEvalMode(m: TrecEvalMode, io: Pick<EvalCliHost, 'out' | 'err'>): Promise<number> {
  // the names are checked before a possibly large run is read
  const measures = parseMetricsList(m.metrics);
  const [{ qrels, format }, run] = await Promise.all([readQrelsInput(m.qrels), readRunInput(m.run)]);
  let evaluation: RerankEvaluation;
  try {
    evaluation = evaluateRerank(run, qrels, {
      measures,
      averaging: m.complete ? 'all-qrels' : 'run∩qrels',
      relevanceLevel: m.relevanceLevel,
    });
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    // a repeated document: name its line (the compact parsers keep none); BEIR qrels refuse them on read
    const problem =
      (await repeatedDocument(run, m.run, 'ranks')) ??
      (format === 'trec' ? await repeatedDocument(qrels, m.qrels, 'judges') : null);
    throw new Error(problem ?? `${basename(m.run)} against ${basename(m.qrels)}: ${err.message}`);
  }
  io.out(trecEvalLines(evaluation, m.perQuery).join(''));
  if (m.out) {
    await writeFile(m.out, `${JSON.stringify(metricsReport(evaluation, m), null, 2)}\n`);
    io.err(`report written to ${m.out}\n`);
  }
  return 0;
}

/** What `--out` holds: the means with the flags that made them, and every query's values. */
export function metricsReport(e: RerankEvaluation, m: TrecEvalMode) {
  return {
    qrels: m.qrels,
    run: m.run,
    averaging: e.averaging,
    relevanceLevel: e.relevanceLevel,
    trecEval: `trec_eval${m.complete ? ' -c' : ''} -l ${m.relevanceLevel}`,
    measures: e.measures.map((x) => ({
      name: x.name,
      trecEvalName: trecEvalName(x),
      mean: x.mean,
      queries: x.queryCount,
      // nDCG takes the raw labels whatever -l says
      relevanceLevel: x.relevanceLevel,
    })),
    queries: e.queries.map((qid, i) => ({
      qid,
      inRun: e.inRun[i] ?? false,
      values: Object.fromEntries(e.measures.map((x) => [x.name, x.perQuery[i] ?? null])),
    })),
    runOnlyQueries: e.runOnlyQueries,
  };
}
