export { dqsName, dqsRewrite } from './dqs';
export { DEFAULT_MAX_RESULT_BYTES, DEFAULT_WORKER_MEMORY_MB, formatBytes } from './limits';
export type { ResultPreview } from './preview';
export { type ScoreInput, type ScoreOutcome, SqlPool, type SqlPoolStats } from './sql-pool';
export type {
  CompareHow,
  ExecError,
  ExecFailure,
  ExecLimits,
  ExecOutcome,
  ExecSuccess,
  SqlValue,
  TimingOutcome,
} from './types';
