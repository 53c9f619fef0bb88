import type { Device, Job, LogRequest } from '@trueboard/contracts';

export type LogLevel = LogRequest['lines'][number]['level'];

/** How a claimed job ended on this runner. */
export type JobOutcome =
  /** report uploaded */
  | 'completed'
  /** reported as failed (user_error or infra), or the upload was refused */
  | 'failed'
  /** the server gave the lease to someone else; nothing was uploaded */
  | 'lease-lost'
  /** the owner cancelled the submission; nothing was uploaded */
  | 'cancelled'
  /** runner shut down; the job went back to the queue */
  | 'released';

/** How a correction check ended on this runner (`failed`: the validator threw, or the answer did not get through). */
export type ValidationOutcome = 'valid' | 'invalid' | 'failed' | 'lease-lost';

/** What the runner reports to its host (the CLI prints these). */
export type RunnerEvent =
  | { type: 'registered'; runnerId: string; device: Device; hardware: string; detail: string }
  | { type: 'warning'; message: string; runId?: string }
  | { type: 'job-started'; job: Job }
  | { type: 'progress'; runId: string; fraction: number; message: string }
  | { type: 'log'; runId: string; level: LogLevel; message: string }
  | { type: 'job-finished'; runId: string; outcome: JobOutcome; message?: string; resultId?: string }
  | { type: 'validation-finished'; id: string; outcome: ValidationOutcome; message?: string }
  | { type: 'stopped' };
