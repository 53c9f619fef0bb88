import {
  type DatasetBundle,
  type Device,
  EvaluationReport,
  type Evaluator,
  type Job,
  type RunContext,
  SubmissionError,
} from '@trueboard/contracts';
import { raceAbort } from './backoff';
import type { ContentCache } from './cache';
import type { PlatformClient } from './client';
import type { JobOutcome, RunnerEvent } from './events';
import { describeIssues, PlatformError } from './platform-error';
import { type ReporterTiming, RunReporter } from './run-reporter';
import { RUNNER_VERSION } from './version';

export type AbortCause = 'lease-lost' | 'cancelled' | 'shutdown';

/** The reason an aborted job's signal carries, so evaluators can tell why they were stopped. */
export class JobAbortedError extends Error {
  override name = 'AbortError';
  constructor(readonly reason: AbortCause) {
    super(`job aborted: ${reason}`);
  }
}

export interface JobDeps extends ReporterTiming {
  client: PlatformClient;
  cache: ContentCache;
  evaluator: Evaluator | undefined;
  /** returns the evaluator's Prepared for a bundle, shared across jobs on the same dataset version */
  prepare(evaluator: Evaluator, bundle: DatasetBundle): Promise<unknown>;
  device: Device;
  hardware: string;
  hostname: string;
  /** overrides leaseSeconds / 3 */
  heartbeatMs?: number;
  emit(e: RunnerEvent): void;
}

/** One claimed job from download to upload, with its heartbeat and its abort switch. */
export class JobRun {
  readonly done: Promise<JobOutcome>;
  private readonly controller = new AbortController();
  private abortCause: AbortCause | undefined;
  private readonly reporter: RunReporter;

  constructor(
    readonly job: Job,
    private readonly deps: JobDeps,
  ) {
    this.reporter = new RunReporter(deps.client, job.runId, deps.emit, deps);
    this.done = this.run();
  }

  /** Stops the job: the evaluator's signal fires and nothing will be uploaded. First cause wins. */
  abort(cause: AbortCause): void {
    if (this.abortCause) return;
    this.abortCause = cause;
    this.controller.abort(new JobAbortedError(cause));
  }

  private async run(): Promise<JobOutcome> {
    const { job, deps } = this;
    deps.emit({ type: 'job-started', job });
    const heartbeat = this.startHeartbeat();
    let outcome: JobOutcome;
    let message: string | undefined;
    let resultId: string | undefined;
    try {
      const report = await this.evaluate();
      if (this.abortCause) outcome = await this.settleAbort(this.abortCause);
      else ({ outcome, message, resultId } = await this.upload(report));
    } catch (e) {
      message = errorMessage(e);
      outcome = this.abortCause ? await this.settleAbort(this.abortCause) : await this.settleError(e);
    } finally {
      clearInterval(heartbeat);
      this.reporter.close();
    }
    deps.emit({ type: 'job-finished', runId: job.runId, outcome, message, resultId });
    return outcome;
  }

  private async evaluate(): Promise<EvaluationReport> {
    const { job, deps } = this;
    const signal = this.controller.signal;
    const { evaluator } = deps;
    if (!evaluator) throw new Error(`this runner has no evaluator for family ${job.family}`);
    const d = job.dataset;
    this.reporter.log(
      'info',
      `runner ${deps.hostname} (kit ${RUNNER_VERSION}, ${deps.device}) running ${evaluator.name} ${evaluator.version}` +
        ` on ${d.benchmark} v${d.version}, attempt ${job.attempt}`,
    );
    const bundle = await raceAbort(deps.cache.materializeBundle(d, signal), signal);
    const artifactPath = await raceAbort(deps.cache.fetchBlob(job.artifact.sha256, signal), signal);
    const prepared = await raceAbort(deps.prepare(evaluator, bundle), signal);
    const ctx: RunContext = {
      device: deps.device,
      seed: job.seed,
      signal,
      progress: (fraction, message) => this.reporter.progress(fraction, message),
      log: (level, message) => this.reporter.log(level, message),
      provenance: {
        runnerVersion: RUNNER_VERSION,
        hostname: deps.hostname,
        datasetHash: d.contentHash,
        artifactHash: job.artifact.sha256,
        hardware: deps.hardware,
      },
    };
    if (job.incremental) {
      // a re-scoring after a release: the evaluator may reuse rows of unchanged examples
      const previous = await raceAbort(deps.client.previous(job.runId), signal);
      ctx.previous = { ...previous, changedExampleIds: job.incremental.changedExampleIds };
      this.reporter.log(
        'info',
        `re-scoring: ${job.incremental.changedExampleIds.length} example(s) changed since the parent version; ${previous.examples.length} previous rows available`,
      );
    }
    const artifact = { sha256: job.artifact.sha256, path: artifactPath, mediaType: job.artifact.mediaType };
    const raw: unknown = await raceAbort(evaluator.evaluate(prepared, artifact, ctx), signal);
    return checkReport(raw, job, evaluator);
  }

  private async upload(
    report: EvaluationReport,
  ): Promise<{ outcome: JobOutcome; message?: string; resultId?: string }> {
    const { client } = this.deps;
    await this.reporter.flush();
    try {
      const res = await client.complete(this.job.runId, report);
      return { outcome: 'completed', resultId: res.resultId, message: res.duplicate ? 'duplicate upload' : undefined };
    } catch (e) {
      if (e instanceof PlatformError && e.status === 409) return { outcome: 'lease-lost', message: e.message };
      // a refused report will not be accepted on retry either: record why instead of waiting for the lease
      if (e instanceof PlatformError && !e.transient) {
        await this.report('infra', `the server refused the report: ${e.message}`);
      }
      return { outcome: 'failed', message: errorMessage(e) };
    }
  }

  private async settleError(e: unknown): Promise<JobOutcome> {
    const userError = e instanceof SubmissionError || (e instanceof Error && e.name === 'SubmissionError');
    await this.report(userError ? 'user_error' : 'infra', errorMessage(e));
    return 'failed';
  }

  private async settleAbort(cause: AbortCause): Promise<JobOutcome> {
    const { client, emit } = this.deps;
    const runId = this.job.runId;
    // after losing the lease the run belongs to someone else: send nothing more
    if (cause === 'lease-lost') return 'lease-lost';
    if (cause === 'cancelled') {
      this.reporter.log('warn', 'stopped: the submission was cancelled');
      await this.reporter.flush();
      return 'cancelled';
    }
    this.reporter.log('warn', `runner ${this.deps.hostname} is shutting down; the job goes back to the queue`);
    await this.reporter.flush();
    await client.release(runId).catch((e: unknown) => {
      emit({ type: 'warning', runId, message: `could not release the job: ${errorMessage(e)}` });
    });
    return 'released';
  }

  private async report(category: 'user_error' | 'infra', message: string): Promise<void> {
    const { client, emit } = this.deps;
    const runId = this.job.runId;
    this.reporter.log('error', message);
    await this.reporter.flush();
    await client.fail(runId, { category, message: message.slice(0, 4000) || 'unknown error' }).catch((e: unknown) => {
      emit({ type: 'warning', runId, message: `could not report the failure: ${errorMessage(e)}` });
    });
  }

  private startHeartbeat(): NodeJS.Timeout {
    const { client, emit } = this.deps;
    const runId = this.job.runId;
    const every = this.deps.heartbeatMs ?? Math.max(100, (this.job.leaseSeconds * 1000) / 3);
    let inFlight = false;
    return setInterval(() => {
      if (inFlight || this.abortCause) return;
      inFlight = true;
      client
        .heartbeat(runId)
        .then((res) => {
          if (res.cancelled) this.abort('cancelled');
        })
        .catch((e: unknown) => {
          if (e instanceof PlatformError && e.status === 409) this.abort('lease-lost');
          else emit({ type: 'warning', runId, message: `heartbeat failed: ${errorMessage(e)}` });
        })
        .finally(() => {
          inFlight = false;
        });
    }, every);
  }
}

/** Validates what an evaluator returned; a bad report is the evaluator's bug, so an infra failure. */
function checkReport(raw: unknown, job: Job, evaluator: Evaluator): EvaluationReport {
  const parsed = EvaluationReport.safeParse(raw);
  const who = `evaluator ${evaluator.name} ${evaluator.version}`;
  if (!parsed.success) throw new Error(`${who} returned an invalid report: ${describeIssues(parsed.error.issues)}`);
  const report = parsed.data;
  const mismatch = (field: string, got: string, want: string) =>
    new Error(`${who} returned a report with ${field} "${got}" for a job with "${want}"`);
  if (report.family !== job.family) throw mismatch('family', report.family, job.family);
  const p = report.provenance;
  if (p.datasetHash !== job.dataset.contentHash)
    throw mismatch('provenance.datasetHash', p.datasetHash, job.dataset.contentHash);
  if (p.artifactHash !== job.artifact.sha256)
    throw mismatch('provenance.artifactHash', p.artifactHash, job.artifact.sha256);
  return report;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
