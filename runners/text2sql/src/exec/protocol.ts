import type { ExecFailure, ExecOutcome } from './types';

/**
 * The pool ↔ worker protocol. Both ends are our own code in processes we start, so messages get a
 * shallow shape check, not a schema: the worker starts once per pool process, and loading a
 * validation library there costs more start-up time than the rest of the worker.
 */

/** One job for a worker. */
export interface WorkerRequest {
  id: number;
  kind: 'execute' | 'time';
  dbPath: string;
  sql: string;
  maxRows: number;
  maxBytes: number;
  /** repetitions, for kind 'time' */
  repeat: number;
}

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
    const job = r as Partial<Record<keyof WorkerRequest, unknown>> | null;
    if (typeof job !== 'object' || job === null) return `job ${i}: not an object`;
    if (!Number.isSafeInteger(job.id)) return `job ${i}: bad id`;
    if (job.kind !== 'execute' && job.kind !== 'time') return `job ${i}: bad kind`;
    if (typeof job.dbPath !== 'string' || job.dbPath === '') return `job ${i}: bad dbPath`;
    if (typeof job.sql !== 'string') return `job ${i}: bad sql`;
    if (!isCount(job.maxRows) || !isCount(job.maxBytes) || job.maxBytes === 0) return `job ${i}: bad caps`;
    if (!isCount(job.repeat) || job.repeat === 0) return `job ${i}: bad repeat`;
  }
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
 * Start markers. Before it starts a job the worker writes `<id> <time>\n` to its stdout, a plain
 * pipe (one small synchronous write, far cheaper than an IPC message). Answers travel in batches,
 * so without them the parent would not know which job of a batch is running when one runs away:
 * with them, a timeout is measured from the moment the job itself started, and a killed worker's
 * culprit is known, so nothing else it held is charged or has to run again alone.
 */
export const marker = (id: number, at: number) => `${id} ${at}\n`;

/** The last complete marker in `text` (later markers supersede earlier ones), or null. */
export function lastMarker(text: string): { id: number; at: number } | null {
  const end = text.lastIndexOf('\n');
  if (end < 0) return null;
  const line = text.slice(text.lastIndexOf('\n', end - 1) + 1, end);
  const space = line.indexOf(' ');
  const id = Number(line.slice(0, space));
  const at = Number(line.slice(space + 1));
  return space > 0 && Number.isSafeInteger(id) && Number.isFinite(at) ? { id, at } : null;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable between our processes. */
export const clock = () => performance.timeOrigin + performance.now();
