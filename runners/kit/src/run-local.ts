import { hostname as osHostname } from 'node:os';
import {
  type ArtifactFile,
  type DatasetBundle,
  type Device,
  EvaluationReport,
  type Evaluator,
  type RunContext,
} from '@trueboard/contracts';
import { describeHardware } from './device';
import { describeIssues } from './platform-error';
import { withProvenance } from './provenance';
import { RUNNER_VERSION } from './version';

/** One evaluation of an artifact on a dataset version laid out on disk. */
export interface LocalRun {
  evaluator: Evaluator;
  bundle: DatasetBundle;
  artifact: ArtifactFile;
  seed: number;
  device: Device;
  /** the operator's `--device`, passed on as ctx.deviceRequest */
  deviceRequest?: RunContext['deviceRequest'];
  /** default os.hostname() */
  hostname?: string;
  /** default describeHardware() */
  hardware?: string;
  signal?: AbortSignal;
  progress?: RunContext['progress'];
  log?: RunContext['log'];
  /** rows of the parent version's result that an incremental re-scoring may reuse */
  previous?: RunContext['previous'];
  /**
   * The evaluator's Prepared for this bundle when the caller keeps them across runs (runners);
   * without it the bundle is prepared here and disposed of afterwards.
   */
  prepare?(evaluator: Evaluator, bundle: DatasetBundle): Promise<unknown>;
}

/**
 * Runs a family evaluator the way every Trueboard result is made: the same context, the provenance
 * the harness fills in (withProvenance), and the same check of what the evaluator returns. Runners'
 * jobs and `trueboard reproduce` go through here, so a local result and a platform result differ
 * only in what they measure in time.
 */
export async function runLocal(run: LocalRun): Promise<EvaluationReport> {
  const { evaluator, bundle, artifact } = run;
  const ownPrepared = !run.prepare;
  const prepared = run.prepare ? await run.prepare(evaluator, bundle) : await evaluator.prepare(bundle);
  try {
    const ctx: RunContext = {
      device: run.device,
      ...(run.deviceRequest ? { deviceRequest: run.deviceRequest } : {}),
      seed: run.seed,
      signal: run.signal ?? new AbortController().signal,
      progress: run.progress ?? (() => {}),
      log: run.log ?? (() => {}),
      provenance: {
        runnerVersion: RUNNER_VERSION,
        hostname: run.hostname ?? osHostname(),
        datasetHash: bundle.ref.contentHash,
        artifactHash: artifact.sha256,
        hardware: run.hardware ?? describeHardware(),
      },
      ...(run.previous ? { previous: run.previous } : {}),
    };
    const startedAt = new Date();
    const started = performance.now();
    const raw: unknown = await evaluator.evaluate(prepared, artifact, ctx);
    const filled = withProvenance(raw, { evaluator, ctx, startedAt, wallTimeMs: performance.now() - started });
    return checkReport(filled, evaluator, {
      family: evaluator.family,
      datasetHash: bundle.ref.contentHash,
      artifactHash: artifact.sha256,
    });
  } finally {
    if (ownPrepared) await evaluator.dispose?.(prepared);
  }
}

/** Validates what an evaluator returned; a bad report is the evaluator's bug, so an infra failure. */
export function checkReport(
  raw: unknown,
  evaluator: Evaluator,
  expected: { family: string; datasetHash: string; artifactHash: string },
): EvaluationReport {
  const parsed = EvaluationReport.safeParse(raw);
  const who = `evaluator ${evaluator.name} ${evaluator.version}`;
  if (!parsed.success) throw new Error(`${who} returned an invalid report: ${describeIssues(parsed.error.issues)}`);
  const report = parsed.data;
  const mismatch = (field: string, got: string, want: string) =>
    new Error(`${who} returned a report with ${field} "${got}" for a job with "${want}"`);
  if (report.family !== expected.family) throw mismatch('family', report.family, expected.family);
  const p = report.provenance;
  if (p.datasetHash !== expected.datasetHash)
    throw mismatch('provenance.datasetHash', p.datasetHash, expected.datasetHash);
  if (p.artifactHash !== expected.artifactHash)
    throw mismatch('provenance.artifactHash', p.artifactHash, expected.artifactHash);
  return report;
}
