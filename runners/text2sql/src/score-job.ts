import { isDeterministic, withinBudget } from './exec/cacheable';
import { compareResults } from './exec/compare';
import type { ConnectionCache } from './exec/connection-cache';
import { clock, type ScoreRequest, type WorkerReply } from './exec/protocol';
import type { QueryCache, QueryCounts } from './exec/query-cache';
import { retitled, runQuery } from './exec/run-query';
import type { ExecOutcome } from './exec/types';
import { compareOnce } from './memo';
import { type ExampleVerdicts, PHASES, type Phase, scoreExample } from './score-example';

/** Comparisons of results this small take well under a millisecond. */
const SMALL_CELLS = 10_000;
/** Budget a query must have left for the comparisons after it to go unmarked. */
const COMPARE_MARGIN_MS = 1000;
/** A result shared by another text (sql-key.ts) that took at most this long goes unmarked. */
const QUICK_MS = 50;

export interface ScoreJobContext {
  connections: ConnectionCache;
  cache: QueryCache;
  /** writes the start marker of `id` (a phase of a job: see protocol.ts) */
  markStart(id: number): void;
}

/**
 * Scores one example in the SQL worker (the `score` job). Each query goes through the worker's
 * result cache; one that runs is marked first, as its phase, so the pool times it against its own
 * budget (gold or prediction) and knows which query to blame if it has to kill the worker. The
 * same query twice in one example runs once (as it did when the parent shared its result), unless
 * its result can change between runs. The comparisons are marked as a phase of their own, with no
 * budget (they never had one), when they could take a while. `verdicts: null` when scoring threw:
 * the parent then scores the example itself (see score-in-parent.ts).
 */
export function runScoreJob(job: ScoreRequest, ctx: ScoreJobContext): Extract<WorkerReply, { type: 'scored' }> {
  const counts: QueryCounts = { hits: 0, misses: 0, volatile: 0, executions: 0 };
  const caps = { maxRows: job.maxRows, maxBytes: job.maxBytes };
  const group = `${job.cache}\u0000${job.dbPath}\u0000${job.maxRows}\u0000${job.maxBytes}`;
  const seen = new Map<string, ExecOutcome>();
  const budgetOf = (phase: Phase) =>
    phase === PHASES.gold || phase === PHASES.goldSpider ? job.goldTimeoutMs : job.timeoutMs;
  /** the last query of this job that ran: its budget, and when it started */
  let last: { budget: number; at: number } | undefined;
  const run = (phase: Phase, sql: string): ExecOutcome => {
    const budget = budgetOf(phase);
    let outcome: ExecOutcome | undefined = job.known?.[phase];
    if (!outcome && seen.has(sql)) {
      counts.hits++;
      outcome = seen.get(sql);
    }
    if (!outcome) {
      outcome = ctx.cache.get(
        group,
        sql,
        () => {
          ctx.markStart(job.id + phase);
          last = { budget, at: clock() };
          return runQuery(ctx.connections, job.dbPath, sql, caps);
        },
        counts,
        // unmarked, as a hit is, when quick: preparing a text SQLite reads as it read one that ran
        // takes no longer than that did (prepared and run); a slow one runs again, marked
        (shared) => (shared.ms <= QUICK_MS ? retitled(ctx.connections, job.dbPath, sql, shared, caps) : null),
      );
    }
    if (!seen.has(sql) && isDeterministic(sql)) seen.set(sql, outcome);
    return withinBudget<ExecOutcome>(outcome, budget);
  };
  const { gold, goldSpider = gold, pred, predSpider = pred } = job;
  let verdicts: ExampleVerdicts | null;
  try {
    verdicts = scoreExample(
      { gold, goldSpider, pred, predSpider },
      {
        run,
        // time spent comparing must not count against a query's budget (this job's, or an earlier
        // one's, whose budget this worker does not know): the comparisons get a start marker of their
        // own unless they are small and a query of this job ran, with plenty of its budget left
        comparing: (results) => {
          const small = results.every((r) => r.rows.length * r.columns.length <= SMALL_CELLS);
          if (!small || !last || last.budget - (clock() - last.at) < COMPARE_MARGIN_MS)
            ctx.markStart(job.id + PHASES.compare);
        },
        compare: (pred, gold, how) => compareOnce(pred.rows, gold.rows, how, () => compareResults(pred, gold, how)),
      },
    );
  } catch {
    // a comparison that throws here throws in the parent too, which reports it
    verdicts = null;
  }
  return { type: 'scored', id: job.id, verdicts, counts };
}
