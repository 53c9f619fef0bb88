import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { WorkerReply, WorkerRequest } from './protocol';
import type { ExecFailure, ExecLimits, ExecOutcome, TimingOutcome } from './types';
import { WorkerProcess } from './worker-process';

type JobReply = Exclude<WorkerReply, { type: 'ready' }>;

interface Job {
  request: Omit<WorkerRequest, 'id'>;
  timeoutMs: number;
  /** a reply for this job arrived; true when it was the last one */
  onReply(reply: JobReply): boolean;
  fail(failure: ExecFailure): void;
}

interface Running {
  id: number;
  job: Job;
  started: number;
  timer: NodeJS.Timeout | undefined;
  timedOut: boolean;
}

export interface SqlPoolStats {
  /** execute() calls accepted */
  executions: number;
  /** workers killed because a query ran past its timeout */
  kills: number;
  /** workers that died on their own (or were killed by someone else) while running a query */
  crashes: number;
}

/** Consecutive workers dying before they are ready, after which queued queries fail instead of retrying forever. */
const MAX_START_FAILURES = 3;

/**
 * Runs SQL against SQLite files in a pool of child processes. Requests queue and go to idle
 * workers; a query past its timeout gets its worker SIGKILLed (SQLite cannot be interrupted from
 * another thread through better-sqlite3, and a killed process really stops) and replaced. The
 * resulting promise never rejects for anything a query does.
 */
export class SqlPool {
  readonly size: number;
  private readonly workers = new Set<WorkerProcess>();
  private readonly idle: WorkerProcess[] = [];
  private readonly running = new Map<WorkerProcess, Running>();
  private readonly queue: Job[] = [];
  private readonly counters: SqlPoolStats = { executions: 0, kills: 0, crashes: 0 };
  private nextId = 1;
  private startFailures = 0;
  private closed = false;

  constructor(opts: { size?: number } = {}) {
    const size = opts.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`SqlPool size must be a positive integer, got ${size}`);
    this.size = size;
  }

  get stats(): Readonly<SqlPoolStats> {
    return this.counters;
  }

  /** Process ids of the live workers (for diagnostics and tests). */
  get pids(): number[] {
    return [...this.workers].flatMap((w) => (w.pid === undefined || w.exited ? [] : [w.pid]));
  }

  execute(dbPath: string, sql: string, limits: ExecLimits): Promise<ExecOutcome> {
    this.assertOpen();
    checkLimits(limits);
    this.counters.executions++;
    return new Promise((resolve) => {
      this.enqueue({
        request: { kind: 'execute', dbPath, sql, maxRows: limits.maxRows, repeat: 1 },
        timeoutMs: limits.timeoutMs,
        onReply: (reply) => {
          if (reply.type !== 'result') return false;
          resolve(reply.outcome);
          return true;
        },
        fail: resolve,
      });
    });
  }

  /**
   * Runs the query `repeat` times in one worker and returns each wall time in ms (for R-VES);
   * stops at the first failure. `limits.timeoutMs` applies to each repetition.
   */
  time(dbPath: string, sql: string, repeat: number, limits: ExecLimits): Promise<TimingOutcome> {
    this.assertOpen();
    checkLimits(limits);
    if (!Number.isInteger(repeat) || repeat < 1)
      throw new RangeError(`repeat must be a positive integer, got ${repeat}`);
    const times: number[] = [];
    return new Promise((resolve) => {
      this.enqueue({
        request: { kind: 'time', dbPath, sql, maxRows: limits.maxRows, repeat },
        timeoutMs: limits.timeoutMs,
        onReply: (reply) => {
          if (reply.type === 'lap') {
            times.push(reply.ms);
            return false;
          }
          if (reply.type !== 'timed') return false;
          resolve(reply.failure ?? { ok: true, times });
          return true;
        },
        fail: resolve,
      });
    });
  }

  /** Fails queued and running queries with `worker_crashed` ("pool closed") and ends every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) job.fail(closedFailure(0));
    // a busy worker may be deep in a runaway query and would not see a polite request
    for (const w of this.running.keys()) w.kill();
    await Promise.all([...this.workers].map((w) => w.stop()));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqlPool is closed');
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.pump();
  }

  /** Hands queued jobs to idle workers, and starts workers for the rest while below `size`. */
  private pump(): void {
    for (;;) {
      const worker = this.idle.pop();
      if (!worker) break;
      const job = this.queue.shift();
      if (!job) {
        this.idle.push(worker);
        break;
      }
      this.dispatch(worker, job);
    }
    const starting = [...this.workers].filter((w) => !w.ready).length;
    const wanted = Math.min(this.size - this.workers.size, this.queue.length - starting);
    for (let i = 0; i < wanted; i++) this.spawn();
  }

  private spawn(): void {
    const worker = new WorkerProcess({
      onReady: (w) => this.onReady(w),
      onReply: (w, reply) => this.onReply(w, reply),
      onExit: (w, why) => this.onExit(w, why),
    });
    this.workers.add(worker);
  }

  private dispatch(worker: WorkerProcess, job: Job): void {
    const run: Running = { id: this.nextId++, job, started: performance.now(), timer: undefined, timedOut: false };
    this.running.set(worker, run);
    worker.setRef(true);
    this.arm(worker, run);
    worker.send({ id: run.id, ...job.request });
  }

  /** (Re)starts the job's timeout; a 'time' job restarts it at each finished repetition. */
  private arm(worker: WorkerProcess, run: Running): void {
    clearTimeout(run.timer);
    run.timer = setTimeout(() => {
      run.timedOut = true;
      this.counters.kills++;
      // the job fails once the process is reaped (onExit): a 'timeout' result means it is gone
      worker.kill();
    }, run.job.timeoutMs);
  }

  private onReady(worker: WorkerProcess): void {
    this.startFailures = 0;
    if (this.closed) {
      void worker.stop();
      return;
    }
    this.makeIdle(worker);
    this.pump();
  }

  private onReply(worker: WorkerProcess, reply: JobReply): void {
    const run = this.running.get(worker);
    // a late answer from a worker being killed, or a stray message: ignore
    if (!run || run.timedOut || reply.id !== run.id) return;
    if (!run.job.onReply(reply)) {
      this.arm(worker, run);
      return;
    }
    clearTimeout(run.timer);
    this.running.delete(worker);
    this.makeIdle(worker);
    this.pump();
  }

  private onExit(worker: WorkerProcess, why: string): void {
    this.workers.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
    const run = this.running.get(worker);
    this.running.delete(worker);
    if (run) {
      clearTimeout(run.timer);
      const ms = performance.now() - run.started;
      if (run.timedOut) {
        run.job.fail({
          ok: false,
          error: 'timeout',
          message: `timed out after ${run.job.timeoutMs} ms; the worker running it was killed`,
          ms,
        });
      } else if (this.closed) {
        run.job.fail(closedFailure(ms));
      } else {
        this.counters.crashes++;
        run.job.fail({
          ok: false,
          error: 'worker_crashed',
          message: `the SQL worker died while running this query: ${why}`,
          ms,
        });
      }
    }
    if (this.closed) return;
    if (!worker.ready && ++this.startFailures >= MAX_START_FAILURES) {
      // a worker that cannot start will not start next time either: fail what waits instead of looping
      this.startFailures = 0;
      for (const job of this.queue.splice(0))
        job.fail({ ok: false, error: 'worker_crashed', message: `SQL worker failed to start: ${why}`, ms: 0 });
    }
    // replace a worker lost mid-query right away, so the pool stays warm
    if (run && this.workers.size < this.size) this.spawn();
    this.pump();
  }

  private makeIdle(worker: WorkerProcess): void {
    // an idle pool must not keep the process alive on its own
    worker.setRef(false);
    this.idle.push(worker);
  }
}

/** Bad limits are a caller's bug: throw at once rather than crash a worker with them. */
function checkLimits({ timeoutMs, maxRows }: ExecLimits): void {
  // setTimeout fires at once beyond 2^31 - 1 ms
  if (!(timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1))
    throw new RangeError(`timeoutMs must be in (0, 2^31) ms, got ${timeoutMs}`);
  if (!Number.isInteger(maxRows) || maxRows < 0)
    throw new RangeError(`maxRows must be a non-negative integer, got ${maxRows}`);
}

function closedFailure(ms: number): ExecFailure {
  return { ok: false, error: 'worker_crashed', message: 'the SQL pool was closed before this query finished', ms };
}
