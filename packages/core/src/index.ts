export * from './accounts';
export * from './actor';
export * from './assets';
export * from './audit';
export * from './baselines';
export * from './benchmark-summaries';
export * from './benchmarks';
export * from './blob-access';
export * from './blobs';
export * from './bootstrap';
export * from './common-passwords';
export * from './config';
export * from './corrections';
export * from './datasets';
export * from './downloads';
export * from './errors';
export * from './families';
export * from './health';
export * from './impact';
export * from './leaderboard';
export * from './leaderboard-csv';
export * from './methods';
export * from './platform';
export * from './queue';
export * from './queue-overview';
export * from './quota';
export * from './releases';
export * from './reproduction';
export * from './results';
export {
  appendLogs,
  claim,
  completeRun,
  enqueueRun,
  failRun,
  heartbeat,
  previousExamples,
  releaseRun,
  reportProgress,
  sweepExpiredLeases,
} from './run-lifecycle';
export * from './runners';
export * from './secrets';
export * from './seed-corrections';
export * from './storage';
export * from './submission-views';
export * from './submissions';
export * from './teams';
export * from './throttle';
