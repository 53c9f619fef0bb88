export { dqsName, dqsRewrite } from './dqs';
export { SqlPool, type SqlPoolStats } from './sql-pool';
export type { ExecError, ExecFailure, ExecLimits, ExecOutcome, ExecSuccess, SqlValue, TimingOutcome } from './types';
