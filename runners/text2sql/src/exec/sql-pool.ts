import { availableParallelism } from 'node:os';
import { DEFAULT_MAX_RESULT_BYTES, DEFAULT_WORKER_MEMORY_MB } from './limits';
import { clock } from './protocol';
import type { ExecFailure, ExecLimits, ExecOutcome, TimingOutcome } from './types';
import { type Job, type JobReply, Line } from './worker-line';
import { WorkerProcess } from './worker-process';

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
  /** queries that waited behind a slow one and went to another worker instead */
  handedOff: number;
}

/** Consecutive workers dying before they are ready, after which queued queries fail instead of retrying forever. */
const MAX_START_FAILURES = 3;

/**
 * Runs SQL against SQLite files in a pool of child processes, started as the work needs them (at
 * most `size`). Queries queued in one turn of the event loop go to ready workers together, in
 * batches (one message carries up to MAX_BATCH, and a worker is topped up before its line runs
 * dry), and answers come back in batches too, so a stream of sub-millisecond queries is not bound
 * by IPC. Each worker runs its line in order and marks the start of each query (see protocol.ts),
 * so every query's timeout counts from its own start. Past it, the worker is SIGKILLed (SQLite
 * cannot be interrupted from another thread through better-sqlite3, and a killed process really
 * stops) and replaced: the query that was running fails with `timeout`, charged only its own
 * time, and the queries the worker finished but had not yet answered, or had not started, run
 * again elsewhere. Queries still waiting behind one that has run for HAND_OFF_AFTER_MS go to other
 * workers (the first is told to drop them). A runaway query costs its own timeout, never a wrong
 * verdict, a wait or a second timeout for its neighbours. The promises never reject for anything a
 * query does.
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
  private readonly counters: SqlPoolStats = { executions: 0, kills: 0, crashes: 0, handedOff: 0 };
  private nextId = 1;
  private startFailures = 0;
  private pumpPending = false;
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

  /**
   * Starts up to `n` workers now (never more than `size`), so their start-up overlaps whatever
   * the caller does before its first query. Without it, workers start with the first queries.
   */
  warm(n = this.size): void {
    this.assertOpen();
    for (let i = this.workers.size; i < Math.min(n, this.size); i++) this.spawn();
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

  /**
   * An idle worker gets a query at once; otherwise queries wait for the end of this turn of the
   * event loop, so that the ones queued together (the next queries of every example whose answers
   * just arrived) travel in one message.
   */
  private enqueue(job: Job): void {
    this.queue.push(job);
    const idle = [...this.lines.values()].some((line) => line.jobs.length === 0 && !line.timedOut);
    if (idle) this.pump();
    else this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpPending) return;
    this.pumpPending = true;
    setImmediate(() => {
      this.pumpPending = false;
      this.pump();
    });
  }

  /**
   * Tops up every ready worker whose line is short with a fair share of the queue (a solo job only
   * goes to an empty line, alone), and starts workers for the rest while below `size`.
   */
  private pump(): void {
    if (this.closed) return;
    const now = clock();
    for (const [worker, line] of this.lines) {
      const first = this.queue[0];
      if (!first) break;
      if (line.timedOut || line.solo || line.jobs.length > REFILL_AT || line.slow(now)) continue;
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
        onStarted: (w, id, at) => this.onStarted(w, id, at),
        onReplies: (w, replies) => this.onReplies(w, replies),
        onExit: (w, why, outOfMemory) => this.onExit(w, why, outOfMemory),
      },
      this.memoryMb,
    );
    this.workers.add(worker);
  }

  private dispatch(worker: WorkerProcess, line: Line, jobs: Job[], solo: boolean): void {
    const now = clock();
    const runs = jobs.map((job) => ({ id: this.nextId++, job, started: now, marked: false }));
    line.solo = solo;
    line.jobs.push(...runs);
    worker.setRef(true);
    this.arm(worker, line);
    worker.send(runs.map((r) => ({ id: r.id, ...r.job.request })));
  }

  /**
   * Makes sure the line's timer fires no later than the running job's deadline, or than the
   * moment the jobs waiting behind it go to another worker. It may fire earlier (the deadline
   * moves on as jobs finish); `expire` then looks again.
   */
  private arm(worker: WorkerProcess, line: Line): void {
    const due = Math.min(line.deadline(), this.size > 1 ? line.handOffAt() : Number.POSITIVE_INFINITY);
    if (due >= line.due) return;
    clearTimeout(line.timer);
    line.due = due;
    // setTimeout fires at once beyond 2^31 - 1 ms; checkLimits keeps every budget below that
    line.timer = setTimeout(() => this.expire(worker, line), Math.max(0, due - clock()));
    // a busy worker keeps the process alive through its IPC channel; the timer need not
    line.timer.unref();
  }

  private expire(worker: WorkerProcess, line: Line): void {
    line.timer = undefined;
    line.due = Number.POSITIVE_INFINITY;
    // first read what has arrived meanwhile: the running job may have just finished
    setImmediate(() => {
      if (this.lines.get(worker) !== line || line.timedOut || !line.jobs.length) return;
      const now = clock();
      if (line.deadline() > now) {
        if (this.size > 1 && line.handOffAt() <= now) this.handOff(worker, line);
        this.arm(worker, line);
        return;
      }
      line.timedOut = true;
      line.killedAt = now;
      // the job fails once the process is reaped (onExit): a 'timeout' result means it is gone
      worker.kill();
    });
  }

  /**
   * The jobs waiting behind a slow one go back to the front of the queue, for the other workers;
   * this worker is told to drop them (it answers `cancelled`, or, if it started one before it read
   * that, its answer is ignored).
   */
  private handOff(worker: WorkerProcess, line: Line): void {
    const waiting = line.waiting();
    for (const r of waiting) r.handedOff = true;
    this.queue.unshift(...waiting.map((r) => r.job));
    worker.send({ cancel: waiting.map((r) => r.id) });
    this.counters.handedOff += waiting.length;
    this.pump();
  }

  private onReady(worker: WorkerProcess): void {
    this.startFailures = 0;
    if (this.closed) {
      void worker.stop();
      return;
    }
    this.lines.set(worker, new Line());
    worker.setRef(false);
    this.pump();
  }

  private onStarted(worker: WorkerProcess, id: number, at: number): void {
    const line = this.lines.get(worker);
    if (line && !line.timedOut && line.mark(id, at, clock())) this.arm(worker, line);
  }

  /** Answers arrive in the order the worker ran the jobs, several per message. */
  private onReplies(worker: WorkerProcess, replies: JobReply[]): void {
    const line = this.lines.get(worker);
    // late answers from a worker being killed: ignore
    if (!line || line.timedOut) return;
    line.answer(replies, clock());
    if (line.jobs.length) this.arm(worker, line);
    else {
      clearTimeout(line.timer);
      line.due = Number.POSITIVE_INFINITY;
      // an idle pool must not keep the process alive on its own
      worker.setRef(false);
    }
    this.schedulePump();
  }

  private onExit(worker: WorkerProcess, why: string, outOfMemory: boolean): void {
    this.workers.delete(worker);
    const line = this.lines.get(worker);
    this.lines.delete(worker);
    clearTimeout(line?.timer);
    const owed = line?.jobs ?? [];
    if (this.closed) {
      for (const r of owed) r.job.fail(closedFailure(clock() - r.started));
      return;
    }
    if (line?.timedOut) this.counters.kills++;
    else if (owed.length) this.counters.crashes++;
    const { again, failed } = line
      ? line.afterDeath(line.timedOut ? 'killed' : outOfMemory ? 'out_of_memory' : 'crashed', {
          now: clock(),
          memoryMb: this.memoryMb,
          why,
        })
      : { again: [], failed: undefined };
    failed?.job.fail(failed.failure);
    this.queue.unshift(...again);
    if (!worker.ready && ++this.startFailures >= MAX_START_FAILURES) {
      // a worker that cannot start will not start next time either: fail what waits instead of looping
      this.startFailures = 0;
      for (const job of this.queue.splice(0))
        job.fail({ ok: false, error: 'worker_crashed', message: `SQL worker failed to start: ${why}`, ms: 0 });
    }
    // replace a worker lost mid-query right away, so the pool stays warm
    if (owed.length && this.workers.size < this.size) this.spawn();
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
