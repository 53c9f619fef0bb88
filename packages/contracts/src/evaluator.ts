import type { Family } from './family';
import type { EvaluationReport, ExampleResult } from './report';
import type { DatasetBundleRef, Device } from './runner-protocol';

/** A dataset version materialised on the runner's disk. */
export interface DatasetBundle {
  ref: DatasetBundleRef;
  /** directory holding the bundle's files at their relative paths */
  root: string;
}

/** A submission's artifact on the runner's disk. */
export interface ArtifactFile {
  sha256: string;
  path: string;
  mediaType: string;
}

export interface RunContext {
  device: Device;
  seed: number;
  signal: AbortSignal;
  progress(fraction: number, message?: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /** filled by the harness; evaluators copy it into the report's provenance */
  provenance: { runnerVersion: string; hostname: string; datasetHash: string; artifactHash: string; hardware?: string };
  /**
   * Results of an earlier run of the same submission on the parent dataset version. Evaluators may
   * reuse rows for examples whose gold did not change (incremental re-scoring).
   */
  previous?: { runId: string; examples: ExampleResult[]; changedExampleIds: string[] };
}

/** Raised by evaluators for problems in the submission itself (shown to the submitter as user_error). */
export class SubmissionError extends Error {
  override name = 'SubmissionError';
}

/** The one seam every family runner implements. */
export interface Evaluator<Prepared = unknown> {
  family: Family;
  name: string;
  version: string;
  /**
   * What the reports measure in time (per-example `data` fields, metric names): it differs between
   * two runs of the same evaluation, so `trueboard reproduce` reports it instead of comparing it.
   */
  timing?: { exampleFields: readonly string[]; metrics: readonly string[] };
  /**
   * The devices it can use; without it, any. An evaluator that never uses CUDA says `['cpu']`,
   * and harnesses then do not probe for it (the probe loads the ONNX runtime).
   */
  devices?: readonly Device[];
  prepare(dataset: DatasetBundle): Promise<Prepared>;
  evaluate(prepared: Prepared, artifact: ArtifactFile, ctx: RunContext): Promise<EvaluationReport>;
  /** releases what `prepare` holds (worker processes, sessions) when the harness evicts it */
  dispose?(prepared: Prepared): Promise<void>;
}
