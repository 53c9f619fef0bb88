export { type BlobSource, ContentCache, defaultCacheDir, safeRelativePath } from './cache';
export {
  type ClientOptions,
  type CompleteResponse,
  type Operation,
  PlatformClient,
  PlatformError,
  type RegisterResponse,
} from './client';
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
export { Runner, type RunnerOptions, type StopOptions } from './runner';
export { RUNNER_VERSION } from './version';
