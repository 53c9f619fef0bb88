import type { SqlValue } from '@trueboard/metrics';

export type { SqlValue };

/** Budgets for one query. Gold and predictions get separate ones (the caller decides). */
export interface ExecLimits {
  /** wall time from dispatch to a worker; past it the worker process is killed */
  timeoutMs: number;
  /** rows kept; one more makes the query fail with `too_many_rows` */
  maxRows: number;
  /**
   * bytes of result kept (see limits.ts for how they are counted), measured in the worker while
   * it steps through the rows; more makes the query fail with `too_large`. Default: 16 MiB.
   */
  maxBytes?: number;
}

/**
 * `too_large`: the result passed `maxBytes` (or a single value passed SQLite's length limit);
 * `out_of_memory`: the query needed more memory than a worker may use (see SqlPool `memoryMb`);
 * `cancelled`: the caller's signal aborted before the query finished (it says nothing of the query).
 */
export type ExecError =
  | 'timeout'
  | 'too_many_rows'
  | 'too_large'
  | 'out_of_memory'
  | 'refused'
  | 'sql_error'
  | 'db_missing'
  | 'worker_crashed'
  | 'cancelled';

export interface ExecFailure {
  ok: false;
  error: ExecError;
  message: string;
  ms: number;
}

export interface ExecSuccess {
  ok: true;
  columns: string[];
  rows: SqlValue[][];
  /** the result's size as counted against `maxBytes` */
  bytes: number;
  ms: number;
}

export type ExecOutcome = ExecSuccess | ExecFailure;

/**
 * How two results are compared (packages/metrics): EX under BIRD semantics, Soft-F1, EX under
 * Spider semantics with row order free or (`spider-ordered`, the gold has ORDER BY) fixed.
 */
export type CompareHow = 'bird' | 'soft-f1' | 'spider' | 'spider-ordered';

/** `times` holds one wall time (ms) per repetition, each including fetching every row. */
export type TimingOutcome = { ok: true; times: number[] } | ExecFailure;
