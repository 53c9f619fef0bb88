import type { ExampleResult, MetricValue } from '@trueboard/contracts';
import {
  bootstrapMeanCI,
  byteStringAt,
  evaluateRerank,
  type RerankEvaluation,
  type RunQuery,
} from '@trueboard/metrics';
import type { FirstStage } from './candidates';
import type { Qrels } from './formats/types';
import { type RerankOptions, rerankSemantics } from './options';
import { MAX_STORED_RANKING, type RerankRow } from './rows';
import { topDocs } from './trec-order';

/** Our metric names (as boards show them) → trec_eval's measure names (`@10`: the run cut at 10, `-M 10`). */
export const RERANK_MEASURES = {
  ndcg_cut_10: 'ndcg_cut.10',
  map: 'map',
  recip_rank_10: 'recip_rank@10',
  recall_100: 'recall.100',
} as const;
export type RerankMetric = keyof typeof RERANK_MEASURES;
const METRICS = Object.keys(RERANK_MEASURES) as RerankMetric[];

/** Scores a checked run over every qrels query (trec_eval `-c`): a query missing from the run counts 0. */
export function scoreRun(run: readonly RunQuery[], qrels: Parameters<typeof evaluateRerank>[1], o: RerankOptions) {
  return evaluateRerank(run, qrels, {
    measures: METRICS.map((m) => RERANK_MEASURES[m]),
    averaging: 'all-qrels',
    relevanceLevel: o.relevanceLevel,
  });
}

/** One value per query of `e.queries`, in that order. */
export function perQuery(e: RerankEvaluation, metric: RerankMetric): Float64Array {
  const values = e.measures[METRICS.indexOf(metric)]?.perQuery;
  if (!values) throw new Error(`no values for ${metric}`);
  return values;
}

/** The means, each with its 95% bootstrap CI over queries (seeded, so a re-run gives the same interval). */
export function rerankMetrics(e: RerankEvaluation, o: RerankOptions, seed: number): MetricValue[] {
  return METRICS.map((name) => {
    const values = [...perQuery(e, name)];
    const ci = bootstrapMeanCI(values, { resamples: o.bootstrapResamples, level: 0.95, seed });
    const measure = e.measures[METRICS.indexOf(name)];
    return {
      name,
      semantics: rerankSemantics(name, o.relevanceLevel),
      value: measure?.mean ?? 0,
      ci: { low: ci.low, high: ci.high, level: 0.95, method: 'bootstrap' as const },
      n: values.length,
    };
  });
}

/**
 * How a query's nDCG@10 compares with the first stage's, exactly, with no tolerance. Both come from
 * the same code on the same judgments, and DCG adds the same gains in the same order whenever the
 * labels down the first ten are the same, so a ranking that keeps the first stage's labels (the same
 * order, or swaps of documents with equal labels) gives the very same float: "same" never needs a
 * tolerance to be found. A tolerance would instead hide real changes of one small gain.
 */
export function changeFrom(ndcg: number, firstStage: number): 'better' | 'worse' | 'same' {
  return ndcg > firstStage ? 'better' : ndcg < firstStage ? 'worse' : 'same';
}

/**
 * One row per qrels query, in trec_eval's query order; the verdict is the query's nDCG@10. With the
 * benchmark's candidates (`firstStage`), each row also carries the first stage's nDCG@10 and top ten,
 * and whether the submission did better, worse or the same on that query. With `ranking` (a model's
 * run, which its submitter does not have), each row keeps the query's ranking as written.
 */
export function rerankRows(
  e: RerankEvaluation,
  run: readonly RunQuery[],
  qrels: Qrels,
  queries: ReadonlyMap<string, string>,
  o: RerankOptions,
  firstStage: ReadonlyMap<string, FirstStage> | null = null,
  ranking = false,
): ExampleResult[] {
  const runs = new Map(run.map((q) => [q.qid, q]));
  const values = Object.fromEntries(METRICS.map((m) => [m, perQuery(e, m)])) as Record<RerankMetric, Float64Array>;
  return e.queries.map((qid, i) => {
    const judged = qrels.get(qid) ?? new Map<string, number>();
    const r = runs.get(qid);
    const data: RerankRow = {
      query: queries.get(qid) ?? '',
      ndcg_cut_10: values.ndcg_cut_10[i] ?? 0,
      map: values.map[i] ?? 0,
      recip_rank_10: values.recip_rank_10[i] ?? 0,
      recall_100: values.recall_100[i] ?? 0,
      relevant: [...judged.values()].filter((l) => l >= o.relevanceLevel).length,
      missing_from_run: !r,
      top10: r ? topDocs(r, 10, judged) : [],
    };
    const first = firstStage?.get(qid);
    if (first) {
      data.first_stage = first;
      data.change = changeFrom(data.ndcg_cut_10, first.ndcg_cut_10);
    }
    if (ranking) data.ranking = r ? storedRanking(r) : [];
    return {
      id: qid,
      verdict: data.ndcg_cut_10,
      ...(r ? {} : { reason: 'not in the run: scores 0 (trec_eval -c averages over every qrels query)' }),
      data,
    };
  });
}

/** A run query's documents in the order written, `[docid, score]`, the first MAX_STORED_RANKING of them. */
function storedRanking(q: RunQuery): [string, number][] {
  const n = Math.min(q.docs.count, MAX_STORED_RANKING);
  return Array.from({ length: n }, (_, i) => [byteStringAt(q.docs, i), q.scores[i] ?? 0]);
}
