import type { ExampleRows, StoredExample, TriageSignals } from '@trueboard/contracts';
import { z } from 'zod';

/** A query result as a row keeps it: the first rows and columns, and the full result's size. */
const Preview = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
  total: z.number().int().nonnegative(),
  totalColumns: z.number().int().nonnegative().optional(),
});

/**
 * Why an example could not be scored: its gold query failed (in either form), or its database is
 * not in the dataset. Only the first says something about the gold (triage reads it).
 */
export const Unscorable = z.enum(['gold_failed', 'database_missing']);
export type Unscorable = z.infer<typeof Unscorable>;

/** `ExampleResult.data` of a text-to-SQL row (report.ts writes it). */
export const Text2SqlRow = z
  .object({
    db_id: z.string(),
    /** the dataset's label of the question (BIRD), when it has one */
    difficulty: z.string().optional(),
    /** set on unscorable rows (verdict null) since evaluator 1.1.0; older rows say it in their reason only */
    unscorable: Unscorable.optional(),
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
 * Why a stored row is unscorable, or undefined when it was scored. Rows carry it in `data.unscorable`;
 * rows stored by evaluators before 1.1.0 lack that field and say it only in their reason.
 */
export function unscorableOf(row: StoredExample): Unscorable | undefined {
  if (row.verdict !== null) return undefined;
  if (row.data.unscorable !== undefined) {
    const kind = Unscorable.safeParse(row.data.unscorable);
    return kind.success ? kind.data : undefined;
  }
  return legacyUnscorableFromReason(row.reason);
}

/**
 * The only place a reason's wording is read, for rows stored before `data.unscorable` existed: the
 * evaluator's reasons were then "gold query timed out …" or "gold query (spider form) …" when the
 * gold failed (score-example.ts), and "database <id> is missing" (score.ts).
 */
export function legacyUnscorableFromReason(reason: string | null | undefined): Unscorable | undefined {
  if (!reason) return undefined;
  if (reason.startsWith('gold query')) return 'gold_failed';
  if (/^database .* is missing$/.test(reason)) return 'database_missing';
  return undefined;
}

function triage(row: StoredExample): TriageSignals {
  const signals: TriageSignals = {};
  // the reason is shown, not parsed: it says how the gold failed
  if (unscorableOf(row) === 'gold_failed')
    signals.goldFails = `the gold query fails (${row.reason ?? 'no reason given'})`;
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
