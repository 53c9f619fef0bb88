import { z } from 'zod';
import { Family } from './family';
import { MetricDefinition } from './manifest';

/**
 * The leaderboard as every surface serves it (the tRPC `benchmarks.leaderboard` procedure, the
 * JSON export, the web's board): one schema, so the procedure's `.output()` and core's board are
 * checked against the same shape. Nothing here belongs to a family: what a family adds to its
 * boards arrives as `extraColumns` and each row's `extra`.
 */

/** A board column a family declares, read from each entry's method hyperparameters. */
export const BoardColumn = z.object({
  /** key of the cell in each row's `extra` (and of the view's column that renders it, if any) */
  key: z.string(),
  label: z.string(),
  /** the method hyperparameter the column shows */
  hyperparameter: z.string(),
});
export type BoardColumn = z.infer<typeof BoardColumn>;

/** A hyperparameter's value as a board shows it (null: the method did not give it). */
export const ExtraCell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type ExtraCell = z.infer<typeof ExtraCell>;

export const MetricCell = z.object({
  value: z.number(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  n: z.number().int(),
});
export type MetricCell = z.infer<typeof MetricCell>;

/** A metric column of the board: one (name, semantics) pair reported on the version. */
export const LeaderboardColumn = z.object({
  /** `name/semantics` */
  key: z.string(),
  name: z.string(),
  semantics: z.string(),
  label: z.string(),
  unit: MetricDefinition.shape.unit.unwrap(),
  higherIsBetter: z.boolean(),
  primary: z.boolean(),
});
export type LeaderboardColumn = z.infer<typeof LeaderboardColumn>;

/** How an entry compares with the entry ranked directly above it on the whole board (primary metric). */
export const TieWithAbove = z.object({
  /** the paired test that decided, or `ci-overlap` where paired data is missing */
  test: z.enum(['mcnemar-exact', 'sign-flip-permutation', 'ci-overlap']),
  /** the paired test's two-sided p; null for interval overlap */
  p: z.number().nullable(),
  /** the two are tied: p ≥ 0.05, or (fallback) their 95% intervals overlap */
  tied: z.boolean(),
  /** examples the paired test compared */
  n: z.number().int().optional(),
  /** exact McNemar: examples only the entry above got right, and only this one */
  onlyAbove: z.number().int().optional(),
  onlyThis: z.number().int().optional(),
  /** graded scores: sign patterns drawn */
  permutations: z.number().int().optional(),
  /** why intervals decided instead of a paired test */
  fallback: z.enum(['beyond-top', 'no-rows', 'not-the-ranked-metric', 'different-examples']).optional(),
});
export type TieWithAbove = z.infer<typeof TieWithAbove>;

export const LeaderboardRow = z.object({
  rank: z.number().int(),
  /** tie group: a chain of adjacent ties (p ≥ 0.05 by the paired test, else overlapping intervals) */
  group: z.number().int(),
  /** the group has more than one entry */
  tied: z.boolean(),
  /** how this entry compares with the entry ranked directly above it on the whole board; null for the first */
  tie: TieWithAbove.nullable(),
  submissionId: z.string(),
  resultId: z.string(),
  method: z.string(),
  methodId: z.string(),
  team: z.string(),
  tags: z.array(z.string()),
  isBaseline: z.boolean(),
  submittedAt: z.date(),
  unscorable: z.number().int(),
  /** the family's board columns (`Leaderboard.extraColumns`) by key */
  extra: z.record(z.string(), ExtraCell),
  /** metric cells by column key (`name/semantics`) */
  metrics: z.record(z.string(), MetricCell),
});
export type LeaderboardRow = z.infer<typeof LeaderboardRow>;

export const Leaderboard = z.object({
  benchmark: z.object({
    id: z.string(),
    name: z.string(),
    family: Family,
    description: z.string(),
    primaryMetric: z.string(),
    metrics: z.array(MetricDefinition),
  }),
  versions: z.array(z.object({ number: z.number().int(), createdAt: z.date(), status: z.string() })),
  /** the version shown */
  version: z.number().int(),
  /** metric columns, primary first */
  columns: z.array(LeaderboardColumn),
  /** the family's columns, filled on each row's `extra` */
  extraColumns: z.array(BoardColumn),
  sort: z.object({ key: z.string(), dir: z.enum(['asc', 'desc']) }).nullable(),
  /** entries after filtering, on every page */
  total: z.number().int(),
  rows: z.array(LeaderboardRow),
});
export type Leaderboard = z.infer<typeof Leaderboard>;
