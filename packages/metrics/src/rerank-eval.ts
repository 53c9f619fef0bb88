import { parseRerankMeasure, type RerankMeasure } from './rerank-measures';
import { checkRunQuery, judgeQuery, measureQuery, rankedRelevance } from './rerank-query';
import { compareUtf8, type QrelsQuery, type RunQuery } from './trec-data';

/**
 * `run∩qrels`: the mean over queries in both the run and the qrels (trec_eval's default).
 * `all-qrels`: the mean over every qrels query, a query missing from the run counting 0 (trec_eval `-c`);
 * leaderboards use it so that a system cannot gain by skipping hard queries.
 */
export type RerankAveraging = 'run∩qrels' | 'all-qrels';

export interface RerankOptions {
  /** Measure names (see `parseRerankMeasure`) or parsed measures. */
  measures: readonly (string | RerankMeasure)[];
  averaging: RerankAveraging;
  /** trec_eval `-l`: labels >= this are relevant for every measure but nDCG. Default 1. */
  relevanceLevel?: number;
}

export interface RerankMeasureResult extends RerankMeasure {
  mean: number;
  averaging: RerankAveraging;
  /** The `-l` the number used; null for nDCG, whose gains are the raw labels whatever `-l` says. */
  relevanceLevel: number | null;
  /** Queries averaged over (the denominator). */
  queryCount: number;
  /** One value per entry of `RerankEvaluation.queries`, in that order. */
  perQuery: Float64Array;
}

export interface RerankEvaluation {
  averaging: RerankAveraging;
  relevanceLevel: number;
  /** Queries averaged over, in trec_eval's order (query ids by UTF-8 bytes). */
  queries: string[];
  /** `inRun[i]`: whether `queries[i]` is in the run (a missing query scores 0 under `all-qrels`). */
  inRun: boolean[];
  /** Run queries without qrels: ignored, as trec_eval ignores them. */
  runOnlyQueries: string[];
  measures: RerankMeasureResult[];
}

function byQid<T extends { qid: string }>(items: readonly T[], what: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.qid)) throw new RangeError(`${what}: query '${item.qid}' appears twice; merge its entries`);
    map.set(item.qid, item);
  }
  return map;
}

/** Evaluates a run against qrels with trec_eval 9.0.8 semantics; see DOMAIN.md §4. */
export function evaluateRerank(
  run: readonly RunQuery[],
  qrels: readonly QrelsQuery[],
  options: RerankOptions,
): RerankEvaluation {
  const level = options.relevanceLevel ?? 1;
  if (!Number.isSafeInteger(level) || level < 0) {
    throw new RangeError(`relevanceLevel must be a non-negative integer, got ${level}`);
  }
  const measures = options.measures.map((m) => (typeof m === 'string' ? parseRerankMeasure(m) : m));
  if (measures.length === 0) throw new RangeError('measures: name at least one measure');
  const runs = byQid(run, 'run');
  const judgedQueries = byQid(qrels, 'qrels');

  // Queries evaluated below are validated there; validate the others here, since a duplicate document or
  // a NaN score is a broken file whether or not that query counts.
  const runOnlyQueries: string[] = [];
  for (const r of run) {
    if (judgedQueries.has(r.qid)) continue;
    checkRunQuery(r);
    runOnlyQueries.push(r.qid);
  }
  for (const q of qrels) if (!runs.has(q.qid)) judgeQuery(q);
  const both = run.filter((r) => judgedQueries.has(r.qid)).map((r) => r.qid);
  if (both.length === 0) {
    throw new RangeError(
      `no query is in both the run (${run.length} queries) and the qrels (${qrels.length}); check that the query ids match`,
    );
  }
  const queries = (options.averaging === 'all-qrels' ? qrels.map((q) => q.qid) : both).sort(compareUtf8);
  const perQuery = measures.map(() => new Float64Array(queries.length));
  const inRun = queries.map((qid) => runs.has(qid));

  queries.forEach((qid, qi) => {
    const q = judgedQueries.get(qid);
    const r = runs.get(qid);
    if (!q || !r) return;
    const judged = judgeQuery(q);
    const ranked = rankedRelevance(r, checkRunQuery(r), judged);
    measures.forEach((m, mi) => {
      const values = perQuery[mi];
      if (values) values[qi] = measureQuery(m, ranked, judged, level);
    });
  });

  return {
    averaging: options.averaging,
    relevanceLevel: level,
    queries,
    inRun,
    runOnlyQueries: runOnlyQueries.sort(compareUtf8),
    measures: measures.map((m, mi) => {
      const values = perQuery[mi] ?? new Float64Array(0);
      // Sum in query order, then divide, as trec_eval's acc_meas/calc_avg_meas do.
      let sum = 0;
      for (const v of values) sum += v;
      return {
        ...m,
        mean: sum / values.length,
        averaging: options.averaging,
        relevanceLevel: m.kind === 'ndcg_cut' ? null : level,
        queryCount: values.length,
        perQuery: values,
      };
    }),
  };
}
