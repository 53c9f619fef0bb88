import type { ExampleRows, StoredExample, TriageSignals } from '@trueboard/contracts';
import { z } from 'zod';

/** A query result as a row keeps it: the first rows and columns, and the full result's size. */
const Preview = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
  total: z.number().int().nonnegative(),
  totalColumns: z.number().int().nonnegative().optional(),
});

/** `ExampleResult.data` of a text-to-SQL row (report.ts writes it). */
export const Text2SqlRow = z
  .object({
    db_id: z.string(),
    /** the dataset's label of the question (BIRD), when it has one */
    difficulty: z.string().optional(),
    ex_spider: z.union([z.literal(0), z.literal(1), z.null()]),
    ex_bird: z.union([z.literal(0), z.literal(1), z.null()]),
    soft_f1: z.number().nullable(),
    ves_reward: z.number().optional(),
    pred_ms: z.number().nullable(),
    gold_ms: z.number().nullable(),
    question: z.string(),
    evidence: z.string().optional(),
    gold_sql: z.string(),
    pred_sql: z.string().nullable(),
    gold_preview: Preview.optional(),
    pred_preview: Preview.optional(),
  })
  // rows written by later evaluator versions may carry more
  .loose();
export type Text2SqlRow = z.infer<typeof Text2SqlRow>;

/**
 * The evaluator's reason when the gold query itself failed ("gold query timed out …", "gold query
 * (spider form) …", see score-example.ts): such an example is unscorable because of its gold.
 */
const GOLD_FAILED = /^gold query/;

function triage(row: StoredExample): TriageSignals {
  const signals: TriageSignals = {};
  if (row.verdict === null && GOLD_FAILED.test(row.reason ?? ''))
    signals.goldFails = `the gold query fails (${row.reason})`;
  const gold = row.data.gold_preview as { total?: unknown } | undefined;
  if (gold?.total === 0) signals.goldEmpty = 'the gold query returns no rows';
  if (row.data.pred_preview) signals.answer = JSON.stringify(row.data.pred_preview);
  return signals;
}

export const text2sqlRows: ExampleRows = {
  schema: Text2SqlRow,
  facets: [
    { field: 'db_id', label: 'database' },
    { field: 'difficulty', label: 'difficulty' },
  ],
  summary: ['db_id', 'question', 'gold_sql'],
  triage,
};
