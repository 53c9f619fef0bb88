import { availableParallelism } from 'node:os';
import { DEFAULT_WORKER_MEMORY_MB } from './limits';
import { clock } from './protocol';
import type { ExecFailure } from './types';
import { cancelledFailure, type Job, type JobReply, Line } from './worker-line';
import { WorkerProcess } from './worker-process';

/** Jobs sent to a worker in one message; the worker runs them one after another. */
const MAX_BATCH = 64;
/** A worker whose line is this short gets more work, so it never waits for a round trip. */
const REFILL_AT = 32;

export interface SqlPoolStats {
  /** queries accepted (execute() and keep() calls) */
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
 * The machinery of SqlPool (see there): worker processes started as the work needs them (at most
 * `size`), each with its line of jobs; which worker runs which job; timeouts, kills, hand-offs and
 * replacements. The jobs of a lane go to the worker in slot `lane % size` while it can take them,
 * so the results a worker keeps serve the jobs that need them.
 */
export class WorkerPool {
  readonly size: number;
  /** each worker's memory limit in MiB */
  readonly memoryMb: number;
  protected readonly lines = new Map<WorkerProcess, Line>();
  protected readonly counters: SqlPoolStats = { executions: 0, kills: 0, crashes: 0, handedOff: 0 };
  private readonly workers = new Set<WorkerProcess>();
  /** lane `l` belongs to the worker in slot `l % size` (undefined: none started) */
  private readonly slots: (WorkerProcess | undefined)[];
  private queue: Job[] = [];
  private nextId = 1;
  private startFailures = 0;
  private pumpPending = false;
  private closed = false;
  /** callers' signals this pool listens to (see `cancel`) */
  private readonly watched = new WeakSet<AbortSignal>();

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
    this.slots = new Array(size).fill(undefined);
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

  /** Fails queued and running queries with `worker_crashed` ("pool closed") and ends every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) job.fail(closedFailure(0));
    // a busy worker may be deep in a runaway query and would not see a polite request
    for (const [w, line] of this.lines) if (line.jobs.length) w.kill();
    await Promise.all([...this.workers].map((w) => w.stop()));
  }

  protected assertOpen(): void {
    if (this.closed) throw new Error('SqlPool is closed');
  }

  /**
   * An idle worker gets a query at once, unless it comes in a `burst` (the scorer's: the next
   * queries of every example whose answers just arrived); otherwise queries wait for the end of
   * this turn of the event loop, so that the ones queued together travel in one message.
   */
  protected enqueue(job: Job, burst = false): void {
    const { signal } = job;
    if (signal) {
      if (signal.aborted) {
        job.fail(cancelledFailure(0));
        return;
      }
      if (!this.watched.has(signal)) {
        this.watched.add(signal);
        signal.addEventListener('abort', () => this.cancel(signal), { once: true });
      }
    }
    this.queueByPriority(job);
    if (burst) {
      this.schedulePump();
      return;
    }
    const now = clock();
    for (const [worker, line] of this.lines) {
      if (line.jobs.length === 0 && !line.timedOut && this.mayRun(job, worker, now)) {
        this.pump();
        return;
      }
    }
    this.schedulePump();
  }

  /** After the queued jobs of its priority and of every lower one (jobs to run again go first: see onExit). */
  private queueByPriority(job: Job): void {
    const priority = job.priority ?? 0;
    let at = this.queue.length;
    while (at > 0 && ((this.queue[at - 1] as Job).priority ?? 0) > priority) at--;
    if (at === this.queue.length) this.queue.push(job);
    else this.queue.splice(at, 0, job);
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
   * Tops up every ready worker whose line is short with a fair share of the jobs it may run (a solo
   * job only goes to an empty line, alone), and starts workers for the rest while below `size`.
   */
  private pump(): void {
    if (this.closed) return;
    const now = clock();
    for (const [worker, line] of this.lines) {
      if (!this.queue.length) break;
      if (line.jobs.length) this.readMarker(worker, line);
      if (line.timedOut || line.solo || line.jobs.length > REFILL_AT || line.slow(now)) continue;
      const share = Math.ceil(this.queue.length / this.size);
      const n = Math.max(1, Math.min(MAX_BATCH - line.jobs.length, share));
      const { jobs, solo } = this.pick(worker, line, n, now);
      if (jobs.length) this.dispatch(worker, line, jobs, solo);
    }
    const starting = [...this.workers].filter((w) => !w.ready).length;
    const wanted = Math.min(this.size - this.workers.size, this.queue.length - starting);
    for (let i = 0; i < wanted; i++) this.spawn();
  }

  /**
   * Takes up to `n` jobs this worker may run off the queue, in order. A solo job goes only alone,
   * into an empty line, and none of this worker's jobs passes one.
   */
  private pick(worker: WorkerProcess, line: Line, n: number, now: number): { jobs: Job[]; solo: boolean } {
    const jobs: Job[] = [];
    const rest: Job[] = [];
    let solo = false;
    for (let i = 0; i < this.queue.length; i++) {
      const job = this.queue[i] as Job;
      if (!this.mayRun(job, worker, now)) {
        rest.push(job);
        continue;
      }
      if (job.solo && jobs.length === 0 && line.jobs.length === 0) {
        jobs.push(job);
        solo = true;
      } else if (!job.solo) jobs.push(job);
      if (solo || job.solo || jobs.length >= n) {
        if (!jobs.includes(job)) rest.push(job);
        for (let j = i + 1; j < this.queue.length; j++) rest.push(this.queue[j] as Job);
        break;
      }
    }
    this.queue = rest;
    return { jobs, solo };
  }

  /**
   * Whether `worker` may run `job` now: a job of a lane on the lane's worker, or on another while
   * that one cannot take it (killed, or busy with a slow query: nobody waits behind a runaway; not
   * started yet; or still starting while this one has nothing to do).
   */
  private mayRun(job: Job, worker: WorkerProcess, now: number): boolean {
    if (job.lane === undefined) return true;
    const home = this.slots[job.lane % this.size];
    if (!home || home === worker) return true;
    const line = this.lines.get(home);
    if (!line) return !home.ready && this.lines.get(worker)?.jobs.length === 0;
    return line.timedOut || line.slow(now);
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
    const free = this.slots.indexOf(undefined);
    if (free >= 0) this.slots[free] = worker;
  }

  private dispatch(worker: WorkerProcess, line: Line, jobs: Job[], solo: boolean): void {
    const now = clock();
    // a job with phases takes an id for each (its phases' start markers)
    const runs = jobs.map((job) => {
      const id = this.nextId;
      this.nextId += job.phases?.length ?? 1;
      return { id, job, started: now, marked: false, dispatched: now };
    });
    line.solo = solo;
    line.jobs.push(...runs);
    worker.setRef(true);
    this.arm(worker, line);
    worker.send(runs.map((r) => ({ id: r.id, ...r.job.request })));
  }

  /**
   * Makes sure the line's timer fires no later than the running job's deadline, whatever the
   * worker started since its latest marker was read (see Line `earliestDeadline`), or than the
   * moment the jobs waiting behind it go to another worker. It may fire earlier (the deadline
   * moves on as jobs finish); `expire` then reads the marker and looks again.
   */
  private arm(worker: WorkerProcess, line: Line): void {
    const due = Math.min(line.earliestDeadline(), this.size > 1 ? line.handOffAt() : Number.POSITIVE_INFINITY);
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
      this.readMarker(worker, line);
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
    worker.send({ cancel: waiting.map((r) => r.id) });
    this.counters.handedOff += waiting.length;
    this.queue.unshift(...waiting.map((r) => r.job));
    this.pump();
  }

  /**
   * The caller of the jobs carrying `signal` gave up on them (Ctrl-C, a cancelled run): every one
   * of them fails with `cancelled` now, wherever it is. Queued ones leave the queue; a worker told
   * to drop the ones it holds but has not started; a worker running one is killed, since a runaway
   * query would keep it until its timeout (up to 10 minutes), and is replaced. Other callers' jobs
   * in that worker's line run again elsewhere (see onExit).
   */
  private cancel(signal: AbortSignal): void {
    if (this.closed) return;
    const kept: Job[] = [];
    for (const job of this.queue) {
      if (job.signal === signal) job.fail(cancelledFailure(0));
      else kept.push(job);
    }
    this.queue = kept;
    for (const [worker, line] of this.lines) {
      // a worker already being killed: onExit fails its cancelled jobs
      if (line.timedOut) continue;
      this.readMarker(worker, line);
      const dropped = line.dropFor(signal);
      if (dropped === 'kill') {
        line.timedOut = true;
        line.cancelled = true;
        line.killedAt = clock();
        worker.kill();
      } else if (dropped.length) {
        worker.send({ cancel: dropped.map((r) => r.id) });
        for (const r of dropped) r.job.fail(cancelledFailure(0));
      }
    }
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

  /** Applies the worker's latest start marker, if it is new (see protocol.ts). */
  private readMarker(worker: WorkerProcess, line: Line): void {
    if (line.timedOut) return;
    const m = worker.marker();
    if (!m || (m.id === line.lastMarker?.id && m.at === line.lastMarker.at)) return;
    line.lastMarker = m;
    line.mark(m.id, m.at, clock());
  }

  /** Answers arrive in the order the worker ran the jobs, several per message. */
  private onReplies(worker: WorkerProcess, replies: JobReply[]): void {
    const line = this.lines.get(worker);
    // late answers from a worker being killed: ignore
    if (!line || line.timedOut) return;
    line.answer(replies, clock());
    if (line.jobs.length) {
      this.readMarker(worker, line);
      this.arm(worker, line);
    } else {
      clearTimeout(line.timer);
      line.due = Number.POSITIVE_INFINITY;
      // an idle pool must not keep the process alive on its own
      worker.setRef(false);
    }
    this.schedulePump();
  }

  private onExit(worker: WorkerProcess, why: string, outOfMemory: boolean): void {
    this.workers.delete(worker);
    const slot = this.slots.indexOf(worker);
    if (slot >= 0) this.slots[slot] = undefined;
    const line = this.lines.get(worker);
    // the marker of the job it was running (after a kill, what was known when it was decided)
    if (line) this.readMarker(worker, line);
    this.lines.delete(worker);
    clearTimeout(line?.timer);
    const owed = line?.jobs ?? [];
    if (this.closed) {
      for (const r of owed) r.job.fail(closedFailure(clock() - r.started));
      return;
    }
    // a kill for a cancelled job is neither a timeout nor a crash
    if (!line?.cancelled) {
      if (line?.timedOut) this.counters.kills++;
      else if (owed.length) this.counters.crashes++;
    }
    const { again, failed, cancelled } = line
      ? line.afterDeath(line.timedOut ? 'killed' : outOfMemory ? 'out_of_memory' : 'crashed', {
          now: clock(),
          memoryMb: this.memoryMb,
          why,
        })
      : { again: [], failed: undefined, cancelled: [] };
    failed?.job.fail(failed.failure, failed.phase);
    for (const job of cancelled) job.fail(cancelledFailure(0));
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

export function closedFailure(ms: number): ExecFailure {
  return { ok: false, error: 'worker_crashed', message: 'the SQL pool was closed before this query finished', ms };
}
