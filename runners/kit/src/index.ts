export {
  ArchiveError,
  type ArchiveFormat,
  DEFAULT_UNPACK_LIMITS,
  detectArchive,
  type UnpackLimits,
  unpackArchive,
} from './archive';
export { fetchArtifact } from './artifact';
export { fetchAssets } from './assets';
export {
  type BlobSource,
  type CacheOptions,
  ContentCache,
  defaultCacheDir,
  defaultCacheMaxBytes,
  safeRelativePath,
} from './cache';
export type { EntryKey } from './cache-eviction';
export type { CacheLease } from './cache-pins';
export { type ClientOptions, PlatformClient, type RegisterResponse } from './client';
export {
  type CudaProbe,
  chooseDevice,
  type DeviceChoice,
  type DeviceRequest,
  DeviceUnavailableError,
  describeHardware,
  probeCuda,
} from './device';
export type { JobOutcome, LogLevel, RunnerEvent, ValidationOutcome } from './events';
export { type AbortCause, JobAbortedError } from './job';
export { LocalBlobs } from './local-blobs';
export type { PlainTensor, TensorData } from './onnx-protocol';
export { type OnnxSession, type OnnxSessionOptions, openOnnxSession, type RemoteSession } from './onnx-session';
export { OnnxTimeoutError, OnnxWorkerError } from './onnx-worker-process';
export { type Operation, PlatformError } from './platform-error';
export { type RunFacts, withProvenance } from './provenance';
export { checkReport, type LocalRun, runLocal } from './run-local';
export { Runner, type RunnerOptions, type StopOptions } from './runner';
export { type ValidationDeps, ValidationWorker, type ValidatorFactory } from './validation';
export { RUNNER_VERSION } from './version';
