import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DEFAULT_MAX_RESULT_BYTES, DEFAULT_WORKER_MEMORY_MB, outOfMemoryMessage } from './limits';
import type { WorkerReply, WorkerRequest } from './protocol';
import type { ExecFailure, ExecLimits, ExecOutcome, TimingOutcome } from './types';
import { WorkerProcess } from './worker-process';

type JobReply = Exclude<WorkerReply, { type: 'ready' }>;

interface Job {
  request: Omit<WorkerRequest, 'id'>;
  timeoutMs: number;
  /**
   * runs alone in a worker's line, so a timeout or crash is surely its own: timed jobs (their laps
   * must not share the worker), and jobs that were in a line whose worker died
   */
  solo: boolean;
  /** a reply for this job arrived; true when it was the last one */
  onReply(reply: JobReply): boolean;
  fail(failure: ExecFailure): void;
}

interface Running {
  id: number;
  job: Job;
  /** when this job became the head of its worker's line (the one the worker is running) */
  started: number;
}

/** What one worker holds: the jobs sent to it, in the order it runs them, and the head's timer. */
interface Line {
  jobs: Running[];
  timer: NodeJS.Timeout | undefined;
  /** the head job ran past its timeout and the worker is being killed */
  timedOut: boolean;
  /** holds a solo job: nothing else joins this line until it is done */
  solo: boolean;
}

/** Jobs sent to a worker in one message; the worker runs them one after another. */
const MAX_BATCH = 32;
/** A worker whose line is this short gets more work, so it never waits for a round trip. */
const REFILL_AT = 8;

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
 * Runs SQL against SQLite files in a pool of child processes. Queued queries go to ready workers in
 * batches (one message carries up to MAX_BATCH of them, and a worker is topped up before its line
 * runs dry) and answers come back in batches too, so a stream of sub-millisecond queries is not
 * bound by IPC. Each worker runs its line in order; the timeout clock of the oldest unanswered
 * query starts when the answers before it arrive, so no query runs longer than its budget. Past it, the worker is SIGKILLed (SQLite cannot be interrupted from another thread
 * through better-sqlite3, and a killed process really stops) and replaced. When the dead worker
 * owed one answer, that query timed out (or crashed it); when it owed several, the culprit is not
 * known, so each of them runs again alone ("solo") and the one that times out again is the one
 * reported. A runaway query in a busy pool therefore costs up to two timeouts of one worker, never
 * a wrong verdict for its neighbours. The promises never reject for anything a query does.
 *
 * Memory: a worker keeps at most `maxBytes` of one result (counted while it steps the rows, so
 * nothing larger crosses IPC), and its process is limited to `memoryMb` (see worker-process.ts). A
 * query that needs more fails with `out_of_memory`, whether SQLite's allocator refused (the worker
 * lives on) or the process died of it (it is replaced, like after a timeout).
 */
export class SqlPool {
  readonly size: number;
  /** each worker's memory limit in MiB */
  readonly memoryMb: number;
  private readonly workers = new Set<WorkerProcess>();
  private readonly lines = new Map<WorkerProcess, Line>();
  private readonly queue: Job[] = [];
  private readonly counters: SqlPoolStats = { executions: 0, kills: 0, crashes: 0 };
  private nextId = 1;
  private startFailures = 0;
  private closed = false;

  constructor(opts: { size?: number; memoryMb?: number } = {}) {
    const size = opts.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`SqlPool size must be a positive integer, got ${size}`);
    const memoryMb = opts.memoryMb ?? DEFAULT_WORKER_MEMORY_MB;
    // below ~128 MiB Node itself cannot start
    if (!Number.isInteger(memoryMb) || memoryMb < 128)
      throw new RangeError(`SqlPool memoryMb must be an integer of at least 128, got ${memoryMb}`);
    this.size = size;
    this.memoryMb = memoryMb;
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
        request: { kind: 'execute', dbPath, sql, ...caps(limits), repeat: 1 },
        timeoutMs: limits.timeoutMs,
        solo: false,
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
        request: { kind: 'time', dbPath, sql, ...caps(limits), repeat },
        timeoutMs: limits.timeoutMs,
        solo: true,
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
    for (const [w, line] of this.lines) if (line.jobs.length) w.kill();
    await Promise.all([...this.workers].map((w) => w.stop()));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqlPool is closed');
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.pump();
  }

  /**
   * Tops up every ready worker whose line is short with a fair share of the queue (a solo job only
   * goes to an empty line, alone), and starts workers for the rest while below `size`.
   */
  private pump(): void {
    if (this.closed) return;
    for (const [worker, line] of this.lines) {
      const first = this.queue[0];
      if (!first) break;
      if (line.timedOut || line.solo || line.jobs.length > REFILL_AT) continue;
      if (first.solo) {
        if (line.jobs.length === 0) this.dispatch(worker, line, this.queue.splice(0, 1), true);
        continue;
      }
      const share = Math.ceil(this.queue.length / this.size);
      let n = Math.max(1, Math.min(MAX_BATCH - line.jobs.length, share));
      const solo = this.queue.findIndex((j) => j.solo);
      if (solo >= 0) n = Math.min(n, solo);
      this.dispatch(worker, line, this.queue.splice(0, n), false);
    }
    const starting = [...this.workers].filter((w) => !w.ready).length;
    const wanted = Math.min(this.size - this.workers.size, this.queue.length - starting);
    for (let i = 0; i < wanted; i++) this.spawn();
  }

  private spawn(): void {
    const worker = new WorkerProcess(
      {
        onReady: (w) => this.onReady(w),
        onReplies: (w, replies) => this.onReplies(w, replies),
        onExit: (w, why, outOfMemory) => this.onExit(w, why, outOfMemory),
      },
      this.memoryMb,
    );
    this.workers.add(worker);
  }

  private dispatch(worker: WorkerProcess, line: Line, jobs: Job[], solo: boolean): void {
    const runs = jobs.map((job) => ({ id: this.nextId++, job, started: performance.now() }));
    const wasIdle = line.jobs.length === 0;
    line.solo = solo;
    line.jobs.push(...runs);
    worker.setRef(true);
    if (wasIdle) this.arm(worker, line);
    worker.send(runs.map((r) => ({ id: r.id, ...r.job.request })));
  }

  /** (Re)starts the head job's timeout; a 'time' job restarts it at each finished repetition. */
  private arm(worker: WorkerProcess, line: Line): void {
    clearTimeout(line.timer);
    const head = line.jobs[0];
    if (!head) return;
    line.timer = setTimeout(() => {
      line.timedOut = true;
      // the job fails once the process is reaped (onExit): a 'timeout' result means it is gone
      worker.kill();
    }, head.job.timeoutMs);
  }

  private onReady(worker: WorkerProcess): void {
    this.startFailures = 0;
    if (this.closed) {
      void worker.stop();
      return;
    }
    this.lines.set(worker, { jobs: [], timer: undefined, timedOut: false, solo: false });
    worker.setRef(false);
    this.pump();
  }

  /** Answers arrive in the order the worker ran the jobs, several per message. */
  private onReplies(worker: WorkerProcess, replies: JobReply[]): void {
    const line = this.lines.get(worker);
    // late answers from a worker being killed: ignore
    if (!line || line.timedOut) return;
    for (const reply of replies) {
      const head = line.jobs[0];
      if (!head || reply.id !== head.id) continue;
      if (head.job.onReply(reply)) line.jobs.shift();
    }
    const now = performance.now();
    const next = line.jobs[0];
    if (next) next.started = now;
    else {
      line.solo = false;
      // an idle pool must not keep the process alive on its own
      worker.setRef(false);
    }
    this.arm(worker, line);
    this.pump();
  }

  private onExit(worker: WorkerProcess, why: string, outOfMemory: boolean): void {
    this.workers.delete(worker);
    const line = this.lines.get(worker);
    this.lines.delete(worker);
    clearTimeout(line?.timer);
    const owed = line?.jobs ?? [];
    const [head] = owed;
    if (this.closed) {
      for (const r of owed) r.job.fail(closedFailure(performance.now() - r.started));
      return;
    }
    if (line?.timedOut) this.counters.kills++;
    else if (head) this.counters.crashes++;
    if (head && owed.length === 1) {
      const ms = performance.now() - head.started;
      head.job.fail(
        line?.timedOut
          ? {
              ok: false,
              error: 'timeout',
              message: `timed out after ${head.job.timeoutMs} ms; the worker running it was killed`,
              ms,
            }
          : outOfMemory
            ? { ok: false, error: 'out_of_memory', message: outOfMemoryMessage(this.memoryMb), ms }
            : {
                ok: false,
                error: 'worker_crashed',
                message: `the SQL worker died while running this query: ${why}`,
                ms,
              },
      );
    } else {
      // which of several unanswered queries was running is unknown: each runs again alone, first
      this.queue.unshift(...owed.map((r) => ({ ...r.job, solo: true })));
    }
    if (!worker.ready && ++this.startFailures >= MAX_START_FAILURES) {
      // a worker that cannot start will not start next time either: fail what waits instead of looping
      this.startFailures = 0;
      for (const job of this.queue.splice(0))
        job.fail({ ok: false, error: 'worker_crashed', message: `SQL worker failed to start: ${why}`, ms: 0 });
    }
    // replace a worker lost mid-query right away, so the pool stays warm
    if (head && this.workers.size < this.size) this.spawn();
    this.pump();
  }
}

const caps = (l: ExecLimits) => ({ maxRows: l.maxRows, maxBytes: l.maxBytes ?? DEFAULT_MAX_RESULT_BYTES });

/** Bad limits are a caller's bug: throw at once rather than crash a worker with them. */
function checkLimits({ timeoutMs, maxRows, maxBytes }: ExecLimits): void {
  // setTimeout fires at once beyond 2^31 - 1 ms
  if (!(timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1))
    throw new RangeError(`timeoutMs must be in (0, 2^31) ms, got ${timeoutMs}`);
  if (!Number.isInteger(maxRows) || maxRows < 0)
    throw new RangeError(`maxRows must be a non-negative integer, got ${maxRows}`);
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0))
    throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
}

function closedFailure(ms: number): ExecFailure {
  return { ok: false, error: 'worker_crashed', message: 'the SQL pool was closed before this query finished', ms };
}
