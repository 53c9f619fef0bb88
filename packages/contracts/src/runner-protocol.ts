import { z } from 'zod';
import { Family, Sha256 } from './family';
import { AssetName, BenchmarkAsset, DatasetFile } from './manifest';
import { EvaluationReport, ExampleResult } from './report';
import { FailureCategory } from './submission';

export const Device = z.enum(['cpu', 'cuda']);
export type Device = z.infer<typeof Device>;

export const RegisterRunnerResponse = z.object({ runnerId: z.string().uuid() });
export type RegisterRunnerResponse = z.infer<typeof RegisterRunnerResponse>;

export const ClaimRequest = z.object({
  runnerId: z.string().uuid(),
  families: z.array(Family).min(1),
  /** long-poll: how long the server may hold the request when no job is waiting */
  waitSeconds: z.number().min(0).max(60).default(20),
});
export type ClaimRequest = z.infer<typeof ClaimRequest>;

export const RegisterRunnerRequest = z.object({
  hostname: z.string().min(1).max(255),
  device: Device,
  families: z.array(Family).min(1),
  version: z.string().max(64),
});
export type RegisterRunnerRequest = z.infer<typeof RegisterRunnerRequest>;

export const DatasetBundleRef = z.object({
  benchmark: z.string(),
  version: z.number().int().positive(),
  contentHash: Sha256,
  files: z.array(DatasetFile),
  evaluator: z.record(z.string(), z.unknown()),
  /** the benchmark's manifest `assets`, which the runner fetches by hash beside the files */
  assets: z.record(AssetName, BenchmarkAsset).optional(),
});
export type DatasetBundleRef = z.infer<typeof DatasetBundleRef>;

export const Job = z.object({
  runId: z.string().uuid(),
  submissionId: z.string().uuid(),
  attempt: z.number().int().positive(),
  family: Family,
  dataset: DatasetBundleRef,
  artifact: z.object({ sha256: Sha256, size: z.number().int(), mediaType: z.string() }),
  leaseSeconds: z.number().int().positive(),
  leaseExpiresAt: z.string(),
  seed: z.number().int(),
  /**
   * Set for a re-scoring after a release: the submission's result on the parent version can be
   * reused for every example whose gold did not change (fetch it from runs/<runId>/previous).
   */
  incremental: z.object({ changedExampleIds: z.array(z.string()) }).optional(),
});
export type Job = z.infer<typeof Job>;

export const PreviousResponse = z.object({
  runId: z.string().uuid(),
  examples: z.array(ExampleResult),
});
export type PreviousResponse = z.infer<typeof PreviousResponse>;

export const ClaimResponse = z.object({ job: Job.nullable() });
export type ClaimResponse = z.infer<typeof ClaimResponse>;

export const HeartbeatResponse = z.object({
  leaseExpiresAt: z.string(),
  /** set when the owner cancelled the submission: the runner should stop work */
  cancelled: z.boolean(),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

export const ProgressRequest = z.object({
  fraction: z.number().min(0).max(1),
  message: z.string().max(500).default(''),
});
export type ProgressRequest = z.infer<typeof ProgressRequest>;

export const LogRequest = z.object({
  lines: z
    .array(
      z.object({
        level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
        message: z.string().max(4000),
        ts: z.string().optional(),
      }),
    )
    .min(1)
    .max(500),
});
export type LogRequest = z.infer<typeof LogRequest>;

export const CompleteRequest = z.object({ report: EvaluationReport });
export type CompleteRequest = z.infer<typeof CompleteRequest>;

export const CompleteResponse = z.object({
  resultId: z.string().uuid(),
  /** true when this run's report had already been recorded (the upload was repeated) */
  duplicate: z.boolean(),
});
export type CompleteResponse = z.infer<typeof CompleteResponse>;

export const FailRequest = z.object({
  category: FailureCategory,
  message: z.string().min(1).max(4000),
});
export type FailRequest = z.infer<typeof FailRequest>;
