import type { ExampleRows, StoredExample, TriageSignals } from '@trueboard/contracts';
import { z } from 'zod';

/** `ExampleResult.data` of a re-ranking row: one qrels query (report.ts writes it). */
export const RerankRow = z
  .object({
    /** the query's text, from queries.jsonl */
    query: z.string(),
    ndcg_cut_10: z.number().min(0).max(1),
    map: z.number().min(0).max(1),
    recip_rank_10: z.number().min(0).max(1),
    recall_100: z.number().min(0).max(1),
    /** documents the qrels judge relevant (label >= the threshold) */
    relevant: z.number().int().nonnegative(),
    /** the run has no line for this query (it scores 0 under `-c`) */
    missing_from_run: z.boolean(),
    /** the run's first ten documents in trec_eval's order; `label` from the qrels, null when unjudged */
    top10: z.array(z.object({ docid: z.string(), score: z.number(), label: z.number().int().nullable() })),
  })
  // rows written by later evaluator versions may carry more
  .loose();
export type RerankRow = z.infer<typeof RerankRow>;

function triage(row: StoredExample): TriageSignals {
  // A query without a relevant document scores 0 for every system: its judgments are what is wrong.
  return row.data.relevant === 0 ? { goldEmpty: 'the qrels judge no document of this query relevant' } : {};
}

export const rerankRows: ExampleRows = {
  schema: RerankRow,
  facets: [],
  summary: ['query', 'ndcg_cut_10', 'missing_from_run'],
  triage,
};
