import {
  type DatasetBundle,
  type Device,
  type EvaluationReport,
  type Evaluator,
  type Job,
  type RunContext,
  SubmissionError,
} from '@trueboard/contracts';
import { abortableSleep, backoffDelay, raceAbort } from './backoff';
import type { ContentCache } from './cache';
import type { PlatformClient } from './client';
import type { JobOutcome, RunnerEvent } from './events';
import { PlatformError } from './platform-error';
import { runLocal } from './run-local';
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
    let previous: RunContext['previous'];
    if (job.incremental) {
      // a re-scoring after a release: the evaluator may reuse rows of unchanged examples
      const prev = await raceAbort(deps.client.previous(job.runId), signal);
      previous = { ...prev, changedExampleIds: job.incremental.changedExampleIds };
      this.reporter.log(
        'info',
        `re-scoring: ${job.incremental.changedExampleIds.length} example(s) changed since the parent version; ${prev.examples.length} previous rows available`,
      );
    }
    const report = runLocal({
      evaluator,
      bundle,
      artifact: { sha256: job.artifact.sha256, path: artifactPath, mediaType: job.artifact.mediaType },
      seed: job.seed,
      device: deps.device,
      hostname: deps.hostname,
      hardware: deps.hardware,
      signal,
      progress: (fraction, message) => this.reporter.progress(fraction, message),
      log: (level, message) => this.reporter.log(level, message),
      previous,
      prepare: (e, b) => deps.prepare(e, b),
    });
    return raceAbort(report, signal);
  }

  private async upload(
    report: EvaluationReport,
  ): Promise<{ outcome: JobOutcome; message?: string; resultId?: string }> {
    const { client } = this.deps;
    await this.reporter.flush();
    try {
      // the report is accepted once per run, so sending it again after a lost answer is safe
      const res = await this.whileUnavailable(() => client.complete(this.job.runId, report));
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
    if (e instanceof PlatformError && e.transient) {
      // the platform (or its database) was down while the job fetched its inputs: the job is not
      // at fault, so it goes back to the queue rather than failing; if even that cannot be said,
      // the lease runs out and the platform re-queues it
      const { client, emit } = this.deps;
      this.reporter.log('warn', `the platform was unavailable (${errorMessage(e)}); the job goes back to the queue`);
      await this.reporter.flush();
      await this.whileUnavailable(() => client.release(this.job.runId)).catch((err: unknown) => {
        emit({ type: 'warning', runId: this.job.runId, message: `could not release the job: ${errorMessage(err)}` });
      });
      return 'released';
    }
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
    const failure = { category, message: message.slice(0, 4000) || 'unknown error' };
    await this.whileUnavailable(() => client.fail(runId, failure)).catch((e: unknown) => {
      emit({ type: 'warning', runId, message: `could not report the failure: ${errorMessage(e)}` });
    });
  }

  /**
   * Repeats `call` while the platform answers 5xx or cannot be reached (its database restarting, a
   * network cut) for as long as the lease would last, heartbeats going on meanwhile; stops early
   * when the lease is lost or the job aborted.
   */
  private async whileUnavailable<T>(call: () => Promise<T>): Promise<T> {
    const until = Date.now() + this.job.leaseSeconds * 1000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (e) {
        if (!(e instanceof PlatformError && e.transient) || this.abortCause || Date.now() >= until) throw e;
        const delay = backoffDelay(attempt, 500, 5000);
        this.deps.emit({
          type: 'warning',
          runId: this.job.runId,
          message: `${errorMessage(e)}; retrying in ${(delay / 1000).toFixed(1)}s`,
        });
        await abortableSleep(delay, this.controller.signal).catch(() => {});
      }
    }
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

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
