import type { ExampleRows, StoredExample, TriageSignals } from '@trueboard/contracts';
import { z } from 'zod';

const ShownDoc = z.object({ docid: z.string(), score: z.number(), label: z.number().int().nullable() });

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
    top10: z.array(ShownDoc),
    /**
     * Only when the benchmark has candidates (evaluator 1.1.0 on): the candidates' own nDCG@10 for
     * this query and their first ten, in trec_eval's order (empty when the query has no candidates).
     */
    first_stage: z.object({ ndcg_cut_10: z.number().min(0).max(1), top10: z.array(ShownDoc) }).optional(),
    /** this submission's nDCG@10 against first_stage's, compared exactly; with first_stage only */
    change: z.enum(['better', 'worse', 'same']).optional(),
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
  // "worse" lists the negative flips: queries the re-ranker made worse than its candidates' own order
  facets: [{ field: 'change', label: 'nDCG@10 vs first stage' }],
  summary: ['query', 'ndcg_cut_10', 'missing_from_run'],
  triage,
};
