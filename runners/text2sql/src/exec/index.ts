export { dqsName, dqsRewrite } from './dqs';
export { DEFAULT_MAX_RESULT_BYTES, DEFAULT_WORKER_MEMORY_MB, formatBytes } from './limits';
export { SqlPool, type SqlPoolStats } from './sql-pool';
export type { ExecError, ExecFailure, ExecLimits, ExecOutcome, ExecSuccess, SqlValue, TimingOutcome } from './types';
