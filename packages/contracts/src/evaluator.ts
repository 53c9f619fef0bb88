import type { Family } from './family';
import type { ArtifactKind } from './manifest';
import type { EvaluationReport, ExampleResult, Provenance } from './report';
import type { DatasetBundleRef, Device } from './runner-protocol';

/** A dataset version materialised on the runner's disk. */
export interface DatasetBundle {
  ref: DatasetBundleRef;
  /** directory holding the bundle's files at their relative paths */
  root: string;
  /** the benchmark's assets (manifest `assets`) by name, fetched and verified by hash */
  assets?: Record<string, LocalAsset>;
}

/** A benchmark asset on the runner's disk: the file, or the directory unpacked from it. */
export interface LocalAsset {
  sha256: string;
  path: string;
  kind: ArtifactKind;
}

/**
 * How a submission's artifact is uploaded and handed to `evaluate`: `file`, one file as it is;
 * `directory`, one .tar, .tar.gz or .zip that the harness unpacks; `file-or-directory`, either, told
 * apart by the stored bytes (an archive is unpacked as a directory, anything else is the file).
 * Benchmark assets keep the manifest's `ArtifactKind` (`file` or `directory`).
 */
export type SubmissionArtifactKind = ArtifactKind | 'file-or-directory';

/** A submission's artifact on the runner's disk. */
export interface ArtifactFile {
  /** of the uploaded bytes (for a directory: of the archive) */
  sha256: string;
  /** the uploaded file, or the directory the harness unpacked from it (kind `directory`) */
  path: string;
  mediaType: string;
  /** what it turned out to be (for `file-or-directory`, after sniffing the bytes); absent means `file` */
  kind?: ArtifactKind;
}

export interface RunContext {
  device: Device;
  /**
   * What the operator asked for (`--device`): `cuda` means CUDA is required, so a session that
   * cannot use it fails instead of falling back to the CPU. Absent: as `auto`.
   */
  deviceRequest?: 'auto' | Device;
  seed: number;
  signal: AbortSignal;
  progress(fraction: number, message?: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /**
   * What the harness knows of the run, for evaluators that log or key on it. The report's
   * provenance is filled from it by the harness, not by the evaluator (see EvaluatorReport).
   */
  provenance: { runnerVersion: string; hostname: string; datasetHash: string; artifactHash: string; hardware?: string };
  /**
   * Results of an earlier run of the same submission on the parent dataset version. Evaluators may
   * reuse rows for examples whose gold did not change (incremental re-scoring).
   */
  previous?: { runId: string; examples: ExampleResult[]; changedExampleIds: string[] };
}

/**
 * What `evaluate` returns: an EvaluationReport whose provenance holds only what is the evaluator's
 * own, such as the ONNX sessions it ran. The harness (the kit's `runLocal`, on runners and in
 * `trueboard eval`) states the rest itself — evaluator name and version, runner, host and hardware,
 * device, seed, start and wall time, dataset and artifact hash — and then checks the whole report.
 * A hash the evaluator does state is kept, so a report about another dataset is still refused.
 */
export type EvaluatorReport = Omit<EvaluationReport, 'provenance'> & { provenance?: Partial<Provenance> };

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
  /**
   * `directory`: the artifact is uploaded as one .tar, .tar.gz or .zip and `evaluate` gets the
   * directory the harness unpacked safely from it, within these limits (the kit's defaults
   * otherwise). `file-or-directory`: an upload whose first bytes are a .tar, .tar.gz or .zip is
   * unpacked the same way, any other is handed over as the file (`ArtifactFile.kind` says which).
   * Without it, the uploaded file as it is.
   */
  artifact?: { kind: SubmissionArtifactKind; maxUnpackedBytes?: number; maxEntries?: number };
  prepare(dataset: DatasetBundle): Promise<Prepared>;
  evaluate(prepared: Prepared, artifact: ArtifactFile, ctx: RunContext): Promise<EvaluatorReport>;
  /** releases what `prepare` holds (worker processes, sessions) when the harness evicts it */
  dispose?(prepared: Prepared): Promise<void>;
}
