export { type BlobSource, ContentCache, defaultCacheDir, safeRelativePath } from './cache';
export { type ClientOptions, PlatformClient, type RegisterResponse } from './client';
export {
  type CudaProbe,
  chooseDevice,
  type DeviceChoice,
  type DeviceRequest,
  describeHardware,
  probeCuda,
} from './device';
export type { JobOutcome, LogLevel, RunnerEvent } from './events';
export { type AbortCause, JobAbortedError } from './job';
export { type Operation, PlatformError } from './platform-error';
export { checkReport, type LocalRun, runLocal } from './run-local';
export { Runner, type RunnerOptions, type StopOptions } from './runner';
export { RUNNER_VERSION } from './version';
