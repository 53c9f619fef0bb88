import { withinBudget } from './exec/cacheable';
import { compareResults } from './exec/compare';
import type { ExecFailure, ExecOutcome, SqlPool } from './exec/index';
import { compareOnce } from './memo';
import type { ResultCache, ResultCaps } from './result-cache';
import { type ExampleQueries, type ExampleVerdicts, PHASES, type Phase, scoreExample } from './score-example';

export interface ParentRun {
  pool: SqlPool;
  dbId: string;
  dbPath: string;
  caps: ResultCaps;
  timeoutMs: number;
  goldTimeoutMs: number;
  /** the evaluation's: its queries stop when it aborts */
  signal?: AbortSignal;
}

/**
 * Scores an example here, as every example was scored before workers compared results: its
 * queries run in the pool (through `results`, the parent's cache of full results) and their rows
 * come back to be compared in this process, which has no memory limit of its own. For the
 * examples whose worker died while comparing (`failed.phase` is the comparisons); when no worker
 * could run the example at all (the pool closed, workers fail to start), each of its queries
 * fails as the job did, and the example is unscorable for it.
 */
export async function scoreInParent(
  q: ExampleQueries,
  r: ParentRun,
  results: ResultCache,
  failed: { failure: ExecFailure; phase?: number },
): Promise<ExampleVerdicts> {
  const phases: [Phase, string | undefined][] = [
    [PHASES.gold, q.gold],
    [PHASES.goldSpider, q.goldSpider === q.gold ? undefined : q.goldSpider],
    [PHASES.pred, q.pred],
    [PHASES.predSpider, q.predSpider === q.pred ? undefined : q.predSpider],
  ];
  const budget = (p: Phase) => (p === PHASES.gold || p === PHASES.goldSpider ? r.goldTimeoutMs : r.timeoutMs);
  const outcomes = new Map<Phase, ExecOutcome>();
  if (failed.phase === PHASES.compare) {
    await Promise.all(
      phases.map(async ([p, sql]) => {
        if (sql === undefined) return;
        const limits = { timeoutMs: budget(p), ...r.caps };
        outcomes.set(p, await results.get(r.dbId, sql, r.caps, () => r.pool.execute(r.dbPath, sql, limits, r.signal)));
      }),
    );
  }
  return scoreExample(q, {
    run: (p) => withinBudget<ExecOutcome>(outcomes.get(p) ?? failed.failure, budget(p)),
    compare: (pred, gold, how) => compareOnce(pred.rows, gold.rows, how, () => compareResults(pred, gold, how)),
  });
}
