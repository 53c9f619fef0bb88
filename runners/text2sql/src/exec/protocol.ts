import type { ExampleVerdicts } from '../score-example';
import type { QueryCounts } from './query-cache';
import type { ExecFailure, ExecOutcome } from './types';

/**
 * The pool ↔ worker protocol. Both ends are our own code in processes we start, so messages get a
 * shallow shape check, not a schema: the worker starts once per pool process, and loading a
 * validation library there costs more start-up time than the rest of the worker.
 */

/** One query for a worker: `execute` returns the rows; `time` runs it `repeat` times and returns each wall time. */
export interface QueryRequest {
  id: number;
  kind: 'execute' | 'time';
  dbPath: string;
  sql: string;
  maxRows: number;
  maxBytes: number;
  /** repetitions, for kind 'time' */
  repeat: number;
}

/**
 * Score one example (see score-job.ts): run its gold and predicted queries, each in its spider
 * form too, through the worker's result cache, and compare the results there. Phase `p` (see
 * score-example.ts PHASES) starts with the marker `id + p`. `known`: the outcome of a phase that
 * killed an earlier worker (it is not run again).
 */
export interface ScoreRequest {
  id: number;
  kind: 'score';
  /** the worker's result cache: what the SQL runs against (dataset version; the database and caps are added) */
  cache: string;
  dbPath: string;
  maxRows: number;
  maxBytes: number;
  /**
   * the example's queries (see score-example.ts ExampleQueries); a spider form that is the same
   * text as its bird form is left out (most are), so the batches carry each text once
   */
  gold: string;
  goldSpider?: string;
  pred?: string;
  predSpider?: string;
  /** the gold queries' budget and the predicted ones', ms: a result run under a larger one must fit */
  goldTimeoutMs: number;
  timeoutMs: number;
  known?: Record<number, ExecFailure>;
}

/** One job for a worker. */
export type WorkerRequest = QueryRequest | ScoreRequest;

/** A job as the pool queues it, before it has an id. */
export type JobRequest = Omit<QueryRequest, 'id'> | Omit<ScoreRequest, 'id'>;

/** Parent → worker: jobs to run in order, each answered on its own as it finishes. */
export type WorkerBatch = WorkerRequest[];

/**
 * Parent → worker: drop these jobs if they have not started (they went to another worker); each
 * dropped one is answered `cancelled`, in its place in the line.
 */
export interface WorkerCancel {
  cancel: number[];
}

export function isWorkerCancel(msg: unknown): msg is WorkerCancel {
  return (
    typeof msg === 'object' &&
    msg !== null &&
    'cancel' in msg &&
    Array.isArray(msg.cancel) &&
    msg.cancel.every((id) => Number.isSafeInteger(id))
  );
}

/** Worker → parent: `ready` once, then arrays of the other kinds, in the order the jobs ran. */
export type WorkerReply =
  | { type: 'ready' }
  /** the answer to an 'execute' job */
  | { type: 'result'; id: number; outcome: ExecOutcome }
  /**
   * the answer to a 'score' job: the example's verdicts (null: its comparisons threw), and what
   * the cache did for it
   */
  | { type: 'scored'; id: number; verdicts: ExampleVerdicts | null; counts: QueryCounts }
  /** one finished repetition of a 'time' job (the parent restarts the job's timeout on each) */
  | { type: 'lap'; id: number; ms: number }
  /** the end of a 'time' job: null when every repetition succeeded */
  | { type: 'timed'; id: number; failure: ExecFailure | null }
  /** a job dropped on request (WorkerCancel) before it started */
  | { type: 'cancelled'; id: number };

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Why a batch from the parent is malformed, or null when it is fine. */
export function batchProblem(msg: unknown): string | null {
  if (!Array.isArray(msg) || msg.length === 0) return 'expected a non-empty array of jobs';
  for (const [i, r] of msg.entries()) {
    const problem = jobProblem(r);
    if (problem) return `job ${i}: ${problem}`;
  }
  return null;
}

const isText = (v: unknown) => typeof v === 'string';
const isBudget = (v: unknown) => typeof v === 'number' && v > 0;

function jobProblem(r: unknown): string | null {
  if (typeof r !== 'object' || r === null) return 'not an object';
  const job = r as Partial<Record<keyof QueryRequest | keyof ScoreRequest, unknown>>;
  if (!Number.isSafeInteger(job.id)) return 'bad id';
  if (job.kind !== 'execute' && job.kind !== 'time' && job.kind !== 'score') return 'bad kind';
  if (typeof job.dbPath !== 'string' || job.dbPath === '') return 'bad dbPath';
  if (!isCount(job.maxRows) || !isCount(job.maxBytes) || job.maxBytes === 0) return 'bad caps';
  if (job.kind === 'score') {
    const optional = (v: unknown) => v === undefined || isText(v);
    if (!isText(job.cache) || !isText(job.gold) || !optional(job.goldSpider)) return 'bad queries';
    if (!optional(job.pred) || !optional(job.predSpider)) return 'bad queries';
    return isBudget(job.goldTimeoutMs) && isBudget(job.timeoutMs) ? null : 'bad budgets';
  }
  if (typeof job.sql !== 'string') return 'bad sql';
  if (!isCount(job.repeat) || job.repeat === 0) return 'bad repeat';
  return null;
}

/** A shallow check of what arrives over IPC from our own worker (rows are not re-validated). */
export function isWorkerReply(msg: unknown): msg is WorkerReply {
  if (typeof msg !== 'object' || msg === null || !('type' in msg)) return false;
  if (msg.type === 'ready') return true;
  if (!('id' in msg) || typeof msg.id !== 'number') return false;
  switch (msg.type) {
    case 'result':
      return 'outcome' in msg && typeof msg.outcome === 'object' && msg.outcome !== null;
    case 'scored':
      return 'verdicts' in msg && typeof msg.verdicts === 'object' && 'counts' in msg;
    case 'lap':
      return 'ms' in msg && typeof msg.ms === 'number';
    case 'timed':
      return 'failure' in msg;
    case 'cancelled':
      return true;
    default:
      return false;
  }
}

/**
 * Start markers. Before it starts a query the worker writes its id and the time to a small file
 * the parent gave it as file descriptor MARKER_FD, in place (one positioned write, far cheaper than
 * an IPC message, and it wakes nobody); the parent reads the latest one whenever it decides
 * something. Answers travel in batches, so without them the parent would not know which job of a
 * batch is running when one runs away: with them, a timeout is measured from the moment the job
 * itself started, and a killed worker's culprit is known, so nothing else it held is charged or
 * has to run again alone.
 *
 * A marker is three float64s, id, time, id: a read that catches a write halfway sees two different
 * ids and reads again.
 */
/** the markers' file descriptor in the worker: the one after the IPC channel's (see worker-process.ts) */
export const MARKER_FD = 4;
export const MARKER_BYTES = 24;

export function writeMarker(buf: Buffer, id: number, at: number): Buffer {
  buf.writeDoubleLE(id, 0);
  buf.writeDoubleLE(at, 8);
  buf.writeDoubleLE(id, 16);
  return buf;
}

/** The marker in `buf` (MARKER_BYTES read), or null when there is none (yet) or it was torn. */
export function readMarker(buf: Buffer): { id: number; at: number } | null {
  const id = buf.readDoubleLE(0);
  const at = buf.readDoubleLE(8);
  return id > 0 && id === buf.readDoubleLE(16) && Number.isSafeInteger(id) && Number.isFinite(at) ? { id, at } : null;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable between our processes. */
export const clock = () => performance.timeOrigin + performance.now();
