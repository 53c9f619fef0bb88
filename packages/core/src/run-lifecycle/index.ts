/*
 * The run lifecycle: a submission's evaluation runs from enqueue to claim, lease (heartbeat,
 * progress, logs, release, expiry) and completion or failure, and the catch-up re-scoring that
 * follows a result on an outdated dataset version. Submissions, releases and the runner protocol
 * go through this API; nothing else writes evaluation_runs.
 */
export { cancelLiveRuns, lockLiveRuns } from './cancel';
export { claim } from './claim';
export { completeRun } from './complete';
export { enqueueRun, queueRerun } from './enqueue';
export { sweepExpiredLeases } from './expire';
export { failRun } from './fail';
export { appendLogs, heartbeat, releaseRun, reportProgress } from './lease';
export { catchUpWithLatest, previousExamples } from './rescore';
export { queuePositionOf, runLogsAfter, runsOf } from './status';
