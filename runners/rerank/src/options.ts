import { z } from 'zod';

/** A path inside the dataset directory: relative, with no `..` segment (the candidates file). */
const InsidePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
    message: 'must be a path inside the dataset directory (relative, no "..")',
  });

/** Evaluator settings: the manifest's "evaluator" block, overridden by `trueboard eval --option`. */
export const RerankOptions = z.object({
  /** dataset layout; BEIR is the only one so far */
  format: z.literal('beir').default('beir'),
  /** the qrels split, read from `qrels/<split>.tsv` */
  split: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a plain file name (letters, digits, . _ -)')
    .default('test'),
  /**
   * The first-stage run the submissions re-rank (a TREC run in the dataset). When set, a submitted
   * run may only hold documents among its query's candidates: a re-ranker re-scores, it does not
   * retrieve. A submitted model re-scores them itself (it needs this option), and every row compares
   * the submission with the candidates' own ranking.
   */
  candidates: InsidePath.optional(),
  /**
   * Candidates per query considered, the top `depth` of the candidates file (default: all of them):
   * a run may rank only these, a model re-scores these and leaves the rest below in first-stage order.
   */
  depth: z.number().int().positive().optional(),
  /** trec_eval `-l`: labels >= this are relevant for MAP, MRR and recall (nDCG uses the raw labels) */
  relevanceLevel: z.number().int().min(0).max(1000).default(1),
  bootstrapResamples: z.number().int().min(100).max(100_000).default(1000),
});
export type RerankOptions = z.infer<typeof RerankOptions>;

/** The options from a manifest's settings, or an error naming each bad field. */
export function parseRerankOptions(settings: Record<string, unknown>): RerankOptions {
  const parsed = RerankOptions.safeParse(settings);
  if (!parsed.success) {
    throw new Error(
      `evaluator options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/**
 * What a metric's number means, as its `semantics` says: the averaging (`-c`: every qrels query, a
 * query missing from the run counting 0) and, except for nDCG (which never applies `-l`), the threshold.
 */
export function rerankSemantics(metric: string, relevanceLevel: number): string {
  return metric === 'ndcg_cut_10' ? 'trec_eval -c' : `trec_eval -c -l ${relevanceLevel}`;
}
