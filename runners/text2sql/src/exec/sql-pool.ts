import { type ExampleVerdicts, PHASES } from '../score-example';
import { isDeterministic } from './cacheable';
import { DEFAULT_MAX_RESULT_BYTES } from './limits';
import type { ScoreRequest } from './protocol';
import type { QueryCounts } from './query-cache';
import type { ExecFailure, ExecLimits, ExecOutcome, TimingOutcome } from './types';
import type { Job } from './worker-line';
import { WorkerPool } from './worker-pool';

export type { SqlPoolStats } from './worker-pool';

/** What `score` needs: the example's queries (both forms of each), where they run, their caps and budgets. */
export type ScoreInput = Omit<ScoreRequest, 'id' | 'kind' | 'known' | 'goldSpider'> & { goldSpider: string };

export type ScoreOutcome =
  | { ok: true; verdicts: ExampleVerdicts; counts: QueryCounts }
  /** `phase`: the comparisons, when the worker died comparing */
  | { ok: false; failure: ExecFailure; phase?: number };

/**
 * The queries of an example that run when none is cached: each text once, unless its result can
 * change (only a repeated text is looked at: this runs for every example the parent sends).
 */
function queriesToRun(q: ScoreInput): number {
  const texts = [q.gold, q.goldSpider, q.pred, q.predSpider];
  let n = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    if (t !== undefined && !(texts.indexOf(t) < i && isDeterministic(t))) n++;
  }
  return n;
}

const COMPARE_FAILED: ExecFailure = {
  ok: false,
  error: 'worker_crashed',
  message: 'the SQL worker could not compare the results',
  ms: 0,
};

/** The comparisons have no budget (they never had one): the longest a timer allows. */
const NO_BUDGET_MS = 2 ** 31 - 1;

/**
 * Runs SQL against SQLite files in a pool of child processes, started as the work needs them (at
 * most `size`). Queries queued in one turn of the event loop go to ready workers together, in
 * batches (one message carries up to MAX_BATCH, and a worker is topped up before its line runs
 * dry), and answers come back in batches too, so a stream of sub-millisecond queries is not bound
 * by IPC. Each worker runs its line in order and marks the start of each query (see protocol.ts),
 * so every query's timeout counts from its own start. Past it, the worker is SIGKILLed (SQLite
 * cannot be interrupted from another thread through better-sqlite3, and a killed process really
 * stops) and replaced: the query that was running fails with `timeout`, charged only its own
 * time, and the queries the worker finished but had not yet answered, or had not started, run
 * again elsewhere. Queries still waiting behind one that has run for HAND_OFF_AFTER_MS go to other
 * workers (the first is told to drop them). A runaway query costs its own timeout, never a wrong
 * verdict, a wait or a second timeout for its neighbours. The promises never reject for anything a
 * query does.
 *
 * A worker can also score a whole example (`score`): it runs the example's queries, keeps their
 * results for the examples to come, and compares them itself, so the rows never cross IPC.
 *
 * Memory: a worker keeps at most `maxBytes` of one result (counted while it steps the rows, so
 * nothing larger crosses IPC), and its process is limited to `memoryMb` (see worker-process.ts). A
 * query that needs more fails with `out_of_memory`, whether SQLite's allocator refused (the worker
 * lives on) or the process died of it (it is replaced, like after a timeout).
 */
export class SqlPool extends WorkerPool {
  /** `signal`: once it aborts, the query stops (see WorkerPool `cancel`) and fails with `cancelled`. */
  execute(dbPath: string, sql: string, limits: ExecLimits, signal?: AbortSignal): Promise<ExecOutcome> {
    this.assertOpen();
    checkLimits(limits);
    this.counters.executions++;
    return new Promise((resolve) => {
      this.enqueue({
        request: { kind: 'execute', dbPath, sql, ...caps(limits), repeat: 1 },
        timeoutMs: limits.timeoutMs,
        solo: false,
        signal,
        onReply: (reply) => {
          if (reply.type !== 'result') return false;
          resolve(reply.outcome);
          return true;
        },
        fail: resolve,
      });
    });
  }

  /**
   * Scores one example in a worker (see score-job.ts): its queries run there, through that
   * worker's result cache, each under its own budget (`goldTimeoutMs` for the gold ones,
   * `timeoutMs` for the predicted ones), with the timeouts, kills and reasons of `execute`, and the
   * results are compared there, so rows never cross IPC. The examples of one `lane` go to one
   * worker while it can take them, so their shared gold results are found in its cache. A query
   * that makes its worker die fails with its own reason, and the example is scored again
   * elsewhere with that outcome for it. `ok: false` when no worker could score it: the pool was
   * closed, workers failed to start, or one died or failed while comparing (`phase` is the
   * comparisons: the caller may compare elsewhere), or `signal` aborted (`cancelled`). Examples of
   * a lower `priority` are sent first.
   */
  score(input: ScoreInput, lane?: number, priority?: number, signal?: AbortSignal): Promise<ScoreOutcome> {
    this.assertOpen();
    checkLimits({ timeoutMs: input.goldTimeoutMs, maxRows: input.maxRows, maxBytes: input.maxBytes });
    checkLimits({ timeoutMs: input.timeoutMs, maxRows: input.maxRows });
    const { goldSpider, predSpider, ...rest } = input;
    const request: Omit<ScoreRequest, 'id'> = {
      kind: 'score',
      ...rest,
      ...(goldSpider !== input.gold ? { goldSpider } : {}),
      ...(predSpider !== input.pred ? { predSpider } : {}),
    };
    const budgets = [input.goldTimeoutMs, input.goldTimeoutMs, input.timeoutMs, input.timeoutMs, NO_BUDGET_MS];
    // counted as accepted now, as if none were in the worker's cache; settled when it answers
    const expected = queriesToRun(input);
    this.counters.executions += expected;
    return new Promise((resolve) => {
      const job: Job = {
        request,
        timeoutMs: input.goldTimeoutMs,
        phases: budgets,
        solo: false,
        lane,
        priority,
        signal,
        onReply: (reply) => {
          if (reply.type !== 'scored') return false;
          this.counters.executions += reply.counts.executions - expected;
          if (reply.verdicts) resolve({ ok: true, verdicts: reply.verdicts, counts: reply.counts });
          else resolve({ ok: false, failure: COMPARE_FAILED, phase: PHASES.compare });
          return true;
        },
        fail: (failure, phase) => {
          if (phase === undefined || phase === PHASES.compare) return resolve({ ok: false, failure, phase });
          request.known = { ...request.known, [phase]: failure };
          this.enqueue(job, true);
        },
      };
      this.enqueue(job, true);
    });
  }

  /**
   * Runs the query `repeat` times in one worker and returns each wall time in ms (for R-VES);
   * stops at the first failure. `limits.timeoutMs` applies to each repetition; `signal` as for `execute`.
   */
  time(dbPath: string, sql: string, repeat: number, limits: ExecLimits, signal?: AbortSignal): Promise<TimingOutcome> {
    this.assertOpen();
    checkLimits(limits);
    if (!Number.isInteger(repeat) || repeat < 1)
      throw new RangeError(`repeat must be a positive integer, got ${repeat}`);
    const times: number[] = [];
    return new Promise((resolve) => {
      this.enqueue({
        request: { kind: 'time', dbPath, sql, ...caps(limits), repeat },
        timeoutMs: limits.timeoutMs,
        solo: true,
        signal,
        onReply: (reply) => {
          if (reply.type === 'lap') {
            times.push(reply.ms);
            return false;
          }
          if (reply.type !== 'timed') return false;
          resolve(reply.failure ?? { ok: true, times });
          return true;
        },
        fail: resolve,
      });
    });
  }
}

const caps = (l: ExecLimits) => ({ maxRows: l.maxRows, maxBytes: l.maxBytes ?? DEFAULT_MAX_RESULT_BYTES });

/** Bad limits are a caller's bug: throw at once rather than crash a worker with them. */
function checkLimits({ timeoutMs, maxRows, maxBytes }: ExecLimits): void {
  // setTimeout fires at once beyond 2^31 - 1 ms
  if (!(timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1))
    throw new RangeError(`timeoutMs must be in (0, 2^31) ms, got ${timeoutMs}`);
  if (!Number.isInteger(maxRows) || maxRows < 0)
    throw new RangeError(`maxRows must be a non-negative integer, got ${maxRows}`);
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0))
    throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
}
