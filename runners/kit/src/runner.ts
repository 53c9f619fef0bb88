import { hostname as osHostname } from 'node:os';
import { type DatasetBundle, type Evaluator, Family, type Job } from '@trueboard/contracts';
import { abortableSleep, backoffDelay } from './backoff';
import { ContentCache } from './cache';
import { type ClientOptions, PlatformClient } from './client';
import { chooseDevice, type DeviceChoice, type DeviceRequest } from './device';
import type { RunnerEvent } from './events';
import { JobRun } from './job';
import { PlatformError } from './platform-error';
import { ValidationWorker, type ValidatorFactory } from './validation';
import { RUNNER_VERSION } from './version';

export interface RunnerOptions {
  server: string;
  token: string;
  /** families to claim; default: every family in `evaluators` */
  families?: Family[];
  device: DeviceRequest;
  evaluators: Partial<Record<Family, Evaluator>>;
  /**
   * Per family: makes the checker of proposed corrections (the family module's `correctionValidator`).
   * The runner checks the proposals of those of its families that have one, beside its evaluations.
   */
  validators?: Partial<Record<Family, ValidatorFactory>>;
  /** wait between polls for correction checks that found none; default 5 s */
  validationPollMs?: number;
  /** default os.hostname() */
  hostname?: string;
  /** default TRUEBOARD_CACHE_DIR or ~/.cache/trueboard */
  cacheDir?: string;
  /** bytes the cache may hold; default TRUEBOARD_CACHE_MAX_BYTES or 50 GiB */
  cacheMaxBytes?: number;
  /** claim long-poll duration, 0..60; default 20 */
  waitSeconds?: number;
  /** process at most this many jobs, then resolve start() */
  once?: number;
  /** how long stop() lets the current job finish before aborting and releasing it; default 30 s */
  graceMs?: number;
  /** called for every runner event; without it, warnings go to stderr */
  onEvent?(e: RunnerEvent): void;
  /** dataset versions whose Prepared stays in memory; default 4 */
  preparedCacheSize?: number;
  /** tuning, mostly for tests */
  heartbeatMs?: number;
  progressIntervalMs?: number;
  logFlushMs?: number;
  /** first delay when the server is unreachable; doubles up to 30 s; default 1 s */
  reconnectDelayMs?: number;
  client?: ClientOptions;
}

export interface StopOptions {
  /** let the current job finish within the grace period (default); false aborts it at once */
  graceful?: boolean;
  graceMs?: number;
}

/**
 * The runner process: registers, then claims jobs for its families and runs them through the family
 * Evaluators until stopped. It talks to the platform only over HTTP with its runner token.
 */
export class Runner {
  readonly client: PlatformClient;
  readonly cache: ContentCache;
  private readonly families: Family[];
  private readonly hostname: string;
  private readonly stopController = new AbortController();
  private readonly prepared = new Map<string, { evaluator: Evaluator; value: Promise<unknown> }>();
  private loop: Promise<void> | undefined;
  private current: JobRun | undefined;
  private stopping = false;
  private choice: DeviceChoice | undefined;
  private readonly validations: ValidationWorker;
  runnerId: string | undefined;

  constructor(private readonly options: RunnerOptions) {
    const families = options.families ?? familiesOf(options.evaluators);
    if (families.length === 0) throw new Error('the runner needs at least one family with an evaluator');
    for (const family of families) {
      const evaluator = options.evaluators[family];
      if (!evaluator) throw new Error(`no evaluator given for family ${family}`);
      if (evaluator.family !== family) {
        throw new Error(`evaluator ${evaluator.name} is for family ${evaluator.family}, not ${family}`);
      }
    }
    const waitSeconds = options.waitSeconds ?? 20;
    if (!(waitSeconds >= 0 && waitSeconds <= 60)) throw new Error('waitSeconds must be between 0 and 60');
    this.families = families;
    this.hostname = (options.hostname ?? osHostname()).slice(0, 255) || 'unknown-host';
    this.client = new PlatformClient(options.server, options.token, options.client);
    this.cache = new ContentCache(this.client, options.cacheDir, {
      maxBytes: options.cacheMaxBytes,
      onWarning: (message) => this.emit({ type: 'warning', message }),
    });
    const factories: Partial<Record<Family, ValidatorFactory>> = {};
    for (const family of families) {
      const make = options.validators?.[family];
      if (make) factories[family] = make;
    }
    this.validations = new ValidationWorker({
      client: this.client,
      cache: this.cache,
      factories,
      pollMs: options.validationPollMs ?? 5000,
      reconnectDelayMs: options.reconnectDelayMs ?? 1000,
      emit: (e) => this.emit(e),
    });
  }

  /** The chosen device, once start() has picked it. */
  get device(): DeviceChoice | undefined {
    return this.choice;
  }

  /** Runs until stop() or until `once` jobs are done. Rejects on errors retrying cannot fix (bad token, no device). */
  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  /** Stops claiming; the current job finishes within the grace period or is aborted and released. */
  async stop(options: StopOptions = {}): Promise<void> {
    const { graceful = true, graceMs = this.options.graceMs ?? 30_000 } = options;
    this.stopping = true;
    this.stopController.abort(new Error('runner stopping'));
    const run = this.current;
    if (run) {
      if (graceful && graceMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), graceMs);
        });
        const first = await Promise.race([run.done, timeout]);
        clearTimeout(timer);
        if (first === 'timeout') run.abort('shutdown');
      } else {
        run.abort('shutdown');
      }
      await run.done;
    }
    await this.loop?.catch(() => {});
  }

  private emit(e: RunnerEvent): void {
    if (this.options.onEvent) this.options.onEvent(e);
    else if (e.type === 'warning') console.warn(`trueboard runner: ${e.message}`);
  }

  private async run(): Promise<void> {
    const choice = await chooseDevice(this.options.device);
    this.choice = choice;
    await this.cache.sweepTemp().catch(() => {});
    const registered = await this.untilReachable(() =>
      this.client.register({
        hostname: this.hostname,
        device: choice.device,
        families: this.families,
        version: RUNNER_VERSION,
      }),
    );
    if (!registered) return this.emit({ type: 'stopped' });
    const runnerId = registered.runnerId;
    this.runnerId = runnerId;
    this.emit({
      type: 'registered',
      runnerId,
      device: choice.device,
      hardware: choice.hardware,
      detail: choice.detail,
    });
    // correction checks run on a loop of their own, so a long evaluation does not hold them up
    this.validations.start(runnerId);

    try {
      await this.claimLoop(runnerId, choice);
    } finally {
      await this.validations.stop();
    }
    const entries = [...this.prepared.values()];
    this.prepared.clear();
    await Promise.all(entries.map((e) => this.dispose(e)));
    this.emit({ type: 'stopped' });
  }

  private async claimLoop(runnerId: string, choice: DeviceChoice): Promise<void> {
    const waitSeconds = this.options.waitSeconds ?? 20;
    let processed = 0;
    while (!this.stopping && (this.options.once === undefined || processed < this.options.once)) {
      const signal = this.stopController.signal;
      const job = await this.untilReachable(() =>
        this.client.claim({ runnerId, families: this.families, waitSeconds }, signal),
      );
      if (!job) continue;
      if (this.stopping) {
        // claimed just as we were told to stop: hand it straight back
        await this.client.release(job.runId).catch(() => {});
        break;
      }
      processed++;
      await this.runJob(job, choice);
    }
  }

  private async runJob(job: Job, choice: DeviceChoice): Promise<void> {
    const o = this.options;
    const run = new JobRun(job, {
      client: this.client,
      cache: this.cache,
      evaluator: o.evaluators[job.family],
      prepare: (evaluator, bundle) => this.prepare(evaluator, bundle),
      device: choice.device,
      deviceRequest: o.device,
      hardware: choice.hardware,
      hostname: this.hostname,
      heartbeatMs: o.heartbeatMs,
      progressIntervalMs: o.progressIntervalMs,
      logFlushMs: o.logFlushMs,
      emit: (e) => this.emit(e),
    });
    this.current = run;
    try {
      await run.done;
    } finally {
      this.current = undefined;
    }
  }

  /**
   * Prepared datasets are kept per evaluator, content hash and assets (they belong to the benchmark,
   * not the version, so they may change under the same hash); a failed prepare is not cached.
   */
  private prepare(evaluator: Evaluator, bundle: DatasetBundle): Promise<unknown> {
    const assets = Object.entries(bundle.assets ?? {})
      .map(([name, a]) => `${name}=${a.sha256}`)
      .sort()
      .join(',');
    const key = `${evaluator.family}:${evaluator.name}:${bundle.ref.contentHash}:${assets}`;
    const hit = this.prepared.get(key);
    if (hit) {
      // most recently used goes last, so eviction below drops the least recently used
      this.prepared.delete(key);
      this.prepared.set(key, hit);
      return hit.value;
    }
    const value = evaluator.prepare(bundle);
    value.catch(() => {
      if (this.prepared.get(key)?.value === value) this.prepared.delete(key);
    });
    this.prepared.set(key, { evaluator, value });
    const limit = Math.max(1, this.options.preparedCacheSize ?? 4);
    for (const [oldest, entry] of this.prepared) {
      if (this.prepared.size <= limit) break;
      this.prepared.delete(oldest);
      void this.dispose(entry);
    }
    return value;
  }

  private async dispose(entry: { evaluator: Evaluator; value: Promise<unknown> }): Promise<void> {
    try {
      const prepared = await entry.value;
      await entry.evaluator.dispose?.(prepared);
    } catch {
      // a failed prepare holds nothing; a failing dispose must not stop the runner
    }
  }

  /**
   * Retries `call` while the platform is unreachable or failing (one warning per attempt); returns
   * undefined once stopping. Refusals (4xx) are not retried: they need an operator.
   */
  private async untilReachable<T>(call: () => Promise<T>): Promise<T | undefined> {
    const base = this.options.reconnectDelayMs ?? 1000;
    for (let attempt = 0; ; attempt++) {
      if (this.stopping) return undefined;
      try {
        return await call();
      } catch (e) {
        if (this.stopping) return undefined;
        if (!(e instanceof PlatformError && e.transient)) throw e;
        const delay = backoffDelay(attempt, base, 30_000);
        const oneLine = e.message.replace(/\s*\n\s*/g, ' ');
        this.emit({ type: 'warning', message: `${oneLine}; retrying in ${(delay / 1000).toFixed(1)}s` });
        await abortableSleep(delay, this.stopController.signal).catch(() => {});
      }
    }
  }
}

function familiesOf(evaluators: Partial<Record<Family, Evaluator>>): Family[] {
  return Family.options.filter((f) => evaluators[f] !== undefined);
}
