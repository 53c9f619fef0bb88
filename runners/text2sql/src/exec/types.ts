import type { SqlValue } from '@trueboard/metrics';

export type { SqlValue };

/** Budgets for one query. Gold and predictions get separate ones (the caller decides). */
export interface ExecLimits {
  /** wall time from dispatch to a worker; past it the worker process is killed */
  timeoutMs: number;
  /** rows kept; one more makes the query fail with `too_many_rows` */
  maxRows: number;
}

export type ExecError = 'timeout' | 'too_many_rows' | 'refused' | 'sql_error' | 'db_missing' | 'worker_crashed';

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
  ms: number;
}

export type ExecOutcome = ExecSuccess | ExecFailure;

/** `times` holds one wall time (ms) per repetition, each including fetching every row. */
export type TimingOutcome = { ok: true; times: number[] } | ExecFailure;
