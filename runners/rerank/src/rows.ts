import type { ExampleRows, StoredExample, TriageSignals } from '@trueboard/contracts';
import { z } from 'zod';

const ShownDoc = z.object({ docid: z.string(), score: z.number(), label: z.number().int().nullable() });

/**
 * The most documents a row keeps of its query's ranking (TREC's customary depth): with 1,000 a row
 * stays under ~40 KB, and SciFact's 300 queries × 100 candidates store ~1 MB. A query ranked deeper
 * keeps its first 1,000 (the evaluator logs it), and a download of it stops there.
 */
export const MAX_STORED_RANKING = 1000;

/** One document of a stored ranking: `[docid, score]`. */
export const RankedDoc = z.tuple([z.string().min(1), z.number()]);

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
    /**
     * Only for a model submission (evaluator 1.2.0 on): the query's whole re-ranked list as written,
     * `[docid, score]` down the ranking, at most MAX_STORED_RANKING; empty when the query has no
     * candidates. The downloads (TREC run, Rankify JSON) are written from it. A run file's rows have
     * none: its submitter has the run.
     */
    ranking: z.array(RankedDoc).max(MAX_STORED_RANKING).optional(),
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
  // up to 1,000 [docid, score] pairs per query, for the downloads: pages show the top 10
  heavy: ['ranking'],
  triage,
};
