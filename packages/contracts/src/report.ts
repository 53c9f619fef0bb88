import { z } from 'zod';
import { Family, Sha256 } from './family';

export const ConfidenceInterval = z.object({
  low: z.number(),
  high: z.number(),
  level: z.number().gt(0).lt(1).default(0.95),
  method: z.enum(['wilson', 'bootstrap', 'exact']),
});
export type ConfidenceInterval = z.infer<typeof ConfidenceInterval>;

export const MetricValue = z.object({
  name: z.string().min(1),
  /** the semantics that produced the number, e.g. "bird" or "spider" for execution accuracy */
  semantics: z.string().default('default'),
  value: z.number().finite(),
  ci: ConfidenceInterval.nullable().default(null),
  /** number of examples the value is computed over (the denominator) */
  n: z.number().int().nonnegative(),
});
export type MetricValue = z.infer<typeof MetricValue>;

export const ExampleResult = z.object({
  id: z.string().min(1),
  /** 1 = correct, 0 = wrong, fractional for graded scores, null = unscorable */
  verdict: z.number().min(0).max(1).nullable(),
  reason: z.string().optional(),
  /**
   * family-specific per-example fields (db_id, latencies, difficulty, ...); the family's own rows
   * schema says what they hold. Checked to be an object and kept as it is: a record schema would
   * copy every field of every row, the largest part of checking a report (about 10 ms per report
   * of Spider dev's size in `trueboard eval`)
   */
  data: z
    .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
      message: 'expected an object',
    })
    .default({}),
  /** carried over from the previous result unchanged (incremental re-scoring): not re-executed */
  reused: z.boolean().optional(),
});
export type ExampleResult = z.infer<typeof ExampleResult>;

/**
 * An ONNX Runtime session the runner kit's helper opened during the evaluation: the execution
 * provider that ran it and its thread settings, and why CUDA was not used when the run allowed it.
 */
export const SessionProvenance = z.object({
  /** e.g. "onnxruntime-node 1.30.0" */
  runtime: z.string(),
  provider: z.enum(['cpu', 'cuda']),
  fallback: z.string().optional(),
  intraOpNumThreads: z.number().int().nonnegative(),
  interOpNumThreads: z.number().int().nonnegative(),
  /** what the session holds, e.g. "cross-encoder" */
  label: z.string().optional(),
});
export type SessionProvenance = z.infer<typeof SessionProvenance>;

export const Provenance = z.object({
  evaluator: z.string(),
  evaluatorVersion: z.string(),
  runnerVersion: z.string(),
  hostname: z.string(),
  device: z.enum(['cpu', 'cuda']),
  datasetHash: Sha256,
  artifactHash: Sha256,
  seed: z.number().int(),
  startedAt: z.string(),
  wallTimeMs: z.number().nonnegative(),
  hardware: z.string().optional(),
  /** the ONNX sessions the evaluation ran (see SessionProvenance) */
  sessions: z.array(SessionProvenance).optional(),
});
export type Provenance = z.infer<typeof Provenance>;

export const EvaluationReport = z.object({
  family: Family,
  metrics: z.array(MetricValue).min(1),
  examples: z.array(ExampleResult),
  unscorable: z.number().int().nonnegative().default(0),
  breakdowns: z.array(z.object({ by: z.string(), key: z.string(), metrics: z.array(MetricValue) })).default([]),
  provenance: Provenance,
});
export type EvaluationReport = z.infer<typeof EvaluationReport>;
export type EvaluationReportInput = z.input<typeof EvaluationReport>;
