import { goldHasOrderBy } from '@trueboard/metrics';
import type { CompareHow, ExecFailure, ExecOutcome, ExecSuccess, ResultPreview } from './exec/index';
import { previewOf } from './exec/preview';
import { firstStatementQuick, removeDistinctOnce } from './memo';

/** The queries of one example: gold and predicted, each also in its spider form. */
export interface ExampleQueries {
  gold: string;
  /** without DISTINCT (unless kept) */
  goldSpider: string;
  /** undefined: no prediction */
  pred?: string;
  /** the first statement, without DISTINCT (unless kept) */
  predSpider?: string;
}

export function exampleQueries(gold: string, pred: string | undefined, keepDistinct: boolean): ExampleQueries {
  const predSql = pred?.trim() ? pred : undefined;
  return {
    gold,
    goldSpider: keepDistinct ? gold : removeDistinctOnce(gold),
    pred: predSql,
    predSpider:
      predSql === undefined
        ? undefined
        : keepDistinct
          ? firstStatementQuick(predSql)
          : removeDistinctOnce(firstStatementQuick(predSql)),
  };
}

/**
 * The queries of an example in the order they run, as phases (a scored example is one job of the
 * SQL pool, each of its queries with its own budget, see worker-line.ts), then the comparisons.
 */
export const PHASES = { gold: 0, goldSpider: 1, pred: 2, predSpider: 3, compare: 4 } as const;
export type Phase = (typeof PHASES)[keyof typeof PHASES];

/** What scoring an example yields before R-VES (which times the pair again, in the parent). */
export interface ExampleVerdicts {
  /** null = unscorable (the gold query failed) */
  exSpider: 0 | 1 | null;
  exBird: 0 | 1 | null;
  softF1: number | null;
  /** why the example is unscorable, or why the prediction failed */
  reason?: string;
  predMs: number | null;
  goldMs: number | null;
  goldPreview?: ResultPreview;
  predPreview?: ResultPreview;
  /** how it ended: unscorable, no prediction, or scored (`birdOk`: right under bird semantics) */
  end: 'unscorable' | 'no-prediction' | 'scored';
  birdOk: boolean;
}

/** How an example's queries run (each under its phase's budget) and how two results compare. */
export interface ExampleExec {
  run(phase: Phase, sql: string): ExecOutcome;
  /** called once every query has run, before the comparisons of these results */
  comparing?(results: ExecSuccess[]): void;
  compare(pred: ExecSuccess, gold: ExecSuccess, how: CompareHow): number;
}

/**
 * The failure part of a reason: "timed out after 30000 ms; the worker running it was killed", "result
 * larger than 16 MiB", "refused: ATTACH statements are not allowed". Never a measured time, so the
 * reasons of two runs of one evaluation are the same (the times are in the rows).
 */
const describe = (o: ExecFailure) =>
  o.error === 'timeout' || o.error === 'too_large' || o.error === 'out_of_memory'
    ? o.message
    : `${o.error}: ${o.message}`;

/**
 * Scores one example whose database exists: runs its gold and predicted queries (each in the
 * spider form too when that differs), all of them, in that order, and compares the results under
 * every semantics.
 */
export function scoreExample(q: ExampleQueries, exec: ExampleExec): ExampleVerdicts {
  const { gold: goldSql, goldSpider: goldSpiderSql, pred: predSql, predSpider: predSpiderSql } = q;
  const gold = exec.run(PHASES.gold, goldSql);
  const goldSpiderRun = goldSpiderSql === goldSql ? undefined : exec.run(PHASES.goldSpider, goldSpiderSql);
  // a prediction whose gold fails is run all the same (rare, and harmless)
  const predBird = predSql === undefined ? undefined : exec.run(PHASES.pred, predSql);
  const predSpiderRun =
    predSpiderSql === undefined || predSpiderSql === predSql ? undefined : exec.run(PHASES.predSpider, predSpiderSql);
  const none = { exSpider: null, exBird: null, softF1: null, predMs: null, birdOk: false } as const;
  if (!gold.ok) return { ...none, reason: `gold query ${describe(gold)}`, goldMs: gold.ms, end: 'unscorable' };
  const goldSpider = goldSpiderRun ?? gold;
  if (!goldSpider.ok) {
    return { ...none, reason: `gold query (spider form) ${describe(goldSpider)}`, goldMs: gold.ms, end: 'unscorable' };
  }
  if (!predBird) {
    return {
      exSpider: 0,
      exBird: 0,
      softF1: 0,
      reason: 'no prediction',
      predMs: null,
      goldMs: gold.ms,
      goldPreview: previewOf(gold),
      end: 'no-prediction',
      birdOk: false,
    };
  }
  const predSpider = predSpiderRun ?? predBird;
  exec.comparing?.([gold, goldSpider, predBird, predSpider].filter((o): o is ExecSuccess => o.ok));
  const orderMatters = goldHasOrderBy(goldSql);
  const birdOk = predBird.ok && exec.compare(predBird, gold, 'bird') === 1;
  const spiderOk =
    predSpider.ok && exec.compare(predSpider, goldSpider, orderMatters ? 'spider-ordered' : 'spider') === 1;
  const failed = !predBird.ok ? predBird : !predSpider.ok ? predSpider : null;
  return {
    exSpider: spiderOk ? 1 : 0,
    exBird: birdOk ? 1 : 0,
    softF1: predBird.ok ? exec.compare(predBird, gold, 'soft-f1') : 0,
    reason: failed ? `prediction ${describe(failed)}` : undefined,
    predMs: predBird.ms,
    goldMs: gold.ms,
    goldPreview: previewOf(gold),
    predPreview: predBird.ok ? previewOf(predBird) : undefined,
    end: 'scored',
    birdOk,
  };
}
