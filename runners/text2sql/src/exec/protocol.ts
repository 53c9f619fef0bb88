import { z } from 'zod';
import type { ExecFailure, ExecOutcome } from './types';

/** One job for a worker. */
export const WorkerRequest = z.object({
  id: z.number().int(),
  kind: z.enum(['execute', 'time']),
  dbPath: z.string().min(1),
  sql: z.string(),
  maxRows: z.number().int().nonnegative(),
  maxBytes: z.number().int().positive(),
  /** repetitions, for kind 'time' */
  repeat: z.number().int().positive(),
});
export type WorkerRequest = z.infer<typeof WorkerRequest>;

/** Parent → worker: jobs to run in order, each answered on its own as it finishes. */
export const WorkerBatch = z.array(WorkerRequest).min(1);
export type WorkerBatch = z.infer<typeof WorkerBatch>;

/** Worker → parent: `ready` once, then arrays of the other kinds, in the order the jobs ran. */
export type WorkerReply =
  | { type: 'ready' }
  /** the answer to an 'execute' job */
  | { type: 'result'; id: number; outcome: ExecOutcome }
  /** one finished repetition of a 'time' job (the parent restarts the job's timeout on each) */
  | { type: 'lap'; id: number; ms: number }
  /** the end of a 'time' job: null when every repetition succeeded */
  | { type: 'timed'; id: number; failure: ExecFailure | null };

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
    default:
      return false;
  }
}
