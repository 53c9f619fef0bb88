import {
  type DatasetBundle,
  type Device,
  type EvaluationReport,
  type Evaluator,
  type Job,
  type RunContext,
  SubmissionError,
} from '@trueboard/contracts';
import { fetchArtifact } from './artifact';
import { abortableSleep, backoffDelay, raceAbort } from './backoff';
import type { ContentCache } from './cache';
import type { CacheLease } from './cache-pins';
import type { PlatformClient } from './client';
import type { DeviceRequest } from './device';
import type { JobOutcome, RunnerEvent } from './events';
import { PlatformError, refusesRun } from './platform-error';
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
  /** what the operator asked for; `cuda` makes a CUDA session that fails an error, not a fallback */
  deviceRequest?: DeviceRequest;
  hardware: string;
  hostname: string;
  /** overrides leaseSeconds / 3 */
  heartbeatMs?: number;
  emit(e: RunnerEvent): void;
}

/** How a job ended, as the runner reports it (see RunnerEvent `job-finished`). */
interface Settled {
  outcome: JobOutcome;
  message?: string;
  resultId?: string;
}

const CANCELLED = 'the submission was cancelled: the evaluation was stopped and nothing was uploaded';

/** One claimed job from download to upload, with its heartbeat and its abort switch. */
export class JobRun {
  readonly done: Promise<JobOutcome>;
  private readonly controller = new AbortController();
  private abortCause: AbortCause | undefined;
  private readonly reporter: RunReporter;
  /** the heartbeat in flight, if any (see checkLease) */
  private leaseCheck: Promise<void> | undefined;
  private ended = false;
  /** pins everything the job fetched, so the cache evicts none of it while the job runs */
  private readonly lease: CacheLease;

  constructor(
    readonly job: Job,
    private readonly deps: JobDeps,
  ) {
    // a refused progress or log line may mean the run was cancelled: ask now, not at the next heartbeat
    this.reporter = new RunReporter(deps.client, job.runId, deps.emit, deps, () => void this.checkLease());
    this.lease = deps.cache.lease();
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
    let settled: Settled;
    try {
      const report = await this.evaluate();
      settled = this.abortCause ? await this.settleAbort(this.abortCause) : await this.upload(report);
    } catch (e) {
      // a refusal may mean the run is no longer ours (cancelled, lease gone): ask before calling it a failure
      if (!this.abortCause && refusesRun(e)) await this.checkLease();
      settled = this.abortCause ? await this.settleAbort(this.abortCause, errorMessage(e)) : await this.settleError(e);
    } finally {
      this.ended = true;
      clearInterval(heartbeat);
      this.reporter.close();
      await this.lease.release().catch(() => {});
    }
    const { outcome, message, resultId } = settled;
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
    const lease = this.lease;
    const bundle = await raceAbort(deps.cache.materializeBundle(d, signal, lease), signal);
    const artifact = await raceAbort(fetchArtifact(deps.cache, job.artifact, evaluator, { signal, lease }), signal);
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
      artifact,
      seed: job.seed,
      device: deps.device,
      deviceRequest: deps.deviceRequest,
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

  private async upload(report: EvaluationReport): Promise<Settled> {
    const { client } = this.deps;
    await this.reporter.flush();
    // a line refused meanwhile started a heartbeat: its answer decides whether to upload at all
    await this.leaseCheck;
    if (this.abortCause) return this.settleAbort(this.abortCause);
    try {
      // the report is accepted once per run, so sending it again after a lost answer is safe
      const res = await this.whileUnavailable(() => client.complete(this.job.runId, report));
      return { outcome: 'completed', resultId: res.resultId, message: res.duplicate ? 'duplicate upload' : undefined };
    } catch (e) {
      if (refusesRun(e)) {
        // cancelled, or the lease is gone: the heartbeat says which
        await this.checkLease();
        if (this.abortCause === 'cancelled') return this.settleAbort('cancelled');
        return { outcome: 'lease-lost', message: e.message };
      }
      // a refused report will not be accepted on retry either: record why instead of waiting for the lease
      if (e instanceof PlatformError && !e.transient) {
        return this.report('infra', `the server refused the report: ${e.message}`);
      }
      return { outcome: 'failed', message: errorMessage(e) };
    }
  }

  private async settleError(e: unknown): Promise<Settled> {
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
      return { outcome: 'released', message: errorMessage(e) };
    }
    const userError = e instanceof SubmissionError || (e instanceof Error && e.name === 'SubmissionError');
    return this.report(userError ? 'user_error' : 'infra', errorMessage(e));
  }

  private async settleAbort(cause: AbortCause, message?: string): Promise<Settled> {
    const { client, emit } = this.deps;
    const runId = this.job.runId;
    // after losing the lease the run belongs to someone else: send nothing more
    if (cause === 'lease-lost') {
      this.reporter.close();
      return { outcome: 'lease-lost', message };
    }
    if (cause === 'cancelled') {
      // the platform takes nothing more for a cancelled run: say it here, where the operator reads it
      this.reporter.close();
      emit({ type: 'log', runId, level: 'warn', message: 'stopped: the submission was cancelled' });
      return { outcome: 'cancelled', message: CANCELLED };
    }
    this.reporter.log('warn', `runner ${this.deps.hostname} is shutting down; the job goes back to the queue`);
    await this.reporter.flush();
    await client.release(runId).catch((e: unknown) => {
      emit({ type: 'warning', runId, message: `could not release the job: ${errorMessage(e)}` });
    });
    return { outcome: 'released', message };
  }

  /** Records the job as failed on the platform, unless the run turns out to be no longer ours. */
  private async report(category: 'user_error' | 'infra', message: string): Promise<Settled> {
    const { client, emit } = this.deps;
    const runId = this.job.runId;
    this.reporter.log('error', message);
    await this.reporter.flush();
    await this.leaseCheck;
    if (this.abortCause) return this.settleAbort(this.abortCause, message);
    const failure = { category, message: message.slice(0, 4000) || 'unknown error' };
    try {
      await this.whileUnavailable(() => client.fail(runId, failure));
    } catch (e) {
      if (refusesRun(e)) await this.checkLease();
      if (this.abortCause) return this.settleAbort(this.abortCause, message);
      emit({ type: 'warning', runId, message: `could not report the failure: ${errorMessage(e)}` });
    }
    return { outcome: 'failed', message };
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
    const every = this.deps.heartbeatMs ?? Math.max(100, (this.job.leaseSeconds * 1000) / 3);
    return setInterval(() => {
      if (!this.leaseCheck) void this.checkLease();
    }, every);
  }

  /**
   * Sends a heartbeat, which extends the lease and says whether the owner cancelled the run; aborts
   * the job when it was cancelled or the lease is gone (409, or 404: the run is not ours). One
   * heartbeat at a time; none once the job is aborted or over.
   */
  private checkLease(): Promise<void> {
    if (this.abortCause || this.ended) return Promise.resolve();
    this.leaseCheck ??= this.heartbeatOnce().finally(() => {
      this.leaseCheck = undefined;
    });
    return this.leaseCheck;
  }

  private async heartbeatOnce(): Promise<void> {
    const { client, emit } = this.deps;
    const runId = this.job.runId;
    try {
      const res = await client.heartbeat(runId);
      if (res.cancelled) this.abort('cancelled');
    } catch (e) {
      if (refusesRun(e)) this.abort('lease-lost');
      else emit({ type: 'warning', runId, message: `heartbeat failed: ${errorMessage(e)}` });
    }
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
