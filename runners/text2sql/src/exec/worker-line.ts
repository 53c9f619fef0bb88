import { outOfMemoryMessage } from './limits';
import type { JobRequest, WorkerReply } from './protocol';
import type { ExecFailure } from './types';

export type JobReply = Exclude<WorkerReply, { type: 'ready' }>;

export interface Job {
  request: JobRequest;
  timeoutMs: number;
  /**
   * a job of several queries run one after another (a scored example): the budget of each, by
   * phase; the worker marks the start of phase `p` of job `id` as `id + p` (see Running `phase`)
   */
  phases?: number[];
  /** runs alone in a worker's line: timed jobs, whose laps must not share the worker */
  solo: boolean;
  /**
   * the jobs of one lane go to one worker (see worker-pool.ts), unless it cannot take them now;
   * undefined: any worker
   */
  lane?: number;
  /**
   * queued jobs with a lower number are sent first, in the order they came among equals (the
   * scorer numbers its evaluations as they start: see score.ts); undefined counts as 0
   */
  priority?: number;
  /**
   * the caller's: once it aborts, the job is dropped, wherever it is, and fails with `cancelled`
   * (see WorkerPool `cancel`)
   */
  signal?: AbortSignal;
  /** a reply for this job arrived; true when it was the last one */
  onReply(reply: JobReply): boolean;
  /** the job failed; `phase`: the phase that was running (the others may run again) */
  fail(failure: ExecFailure, phase?: number): void;
}

export interface Running {
  id: number;
  job: Job;
  /**
   * When it started (wall clock, see protocol.ts `clock`). Exact once its start marker arrived;
   * before that, for the head of the line, the moment the parent learnt that the jobs before it
   * were done, which is never earlier than the real start, so a timeout is never cut short.
   */
  started: number;
  /** its start marker arrived: it started at `started`, and every job before it is done */
  marked: boolean;
  /**
   * taken back while it waited behind a slow query and sent to another worker, or dropped because
   * its caller cancelled it: this worker was told to drop it, and whatever it still says about it
   * is ignored
   */
  handedOff?: boolean;
  /** of a job with phases: the one running since `started` (as far as the markers tell) */
  phase?: number;
  /** when it was sent to the worker (it cannot have started earlier) */
  dispatched?: number;
}

/** The budget of what a job is running: its phase's, or the job's. */
export const budgetOf = (r: Running) => r.job.phases?.[r.phase ?? 0] ?? r.job.timeoutMs;

/**
 * A query running this long makes the queries waiting behind it in its worker's batch go to
 * another worker: one runaway must not hold up the rest of its batch until its timeout.
 */
export const HAND_OFF_AFTER_MS = 500;

/**
 * What one worker holds: the jobs sent to it, in the order it runs them, and when the one running
 * must be stopped. Answers arrive in batches, start markers as each job starts.
 */
export class Line {
  jobs: Running[] = [];
  /** holds a solo job: nothing else joins this line until it is done */
  solo = false;
  /** the running job ran past its timeout, or its caller cancelled it, and the worker is being killed */
  timedOut = false;
  /** the kill is for a cancelled job (not counted as a timeout) */
  cancelled = false;
  /** when the kill was decided */
  killedAt: number | undefined;
  timer: NodeJS.Timeout | undefined;
  /** when `timer` fires */
  due = Number.POSITIVE_INFINITY;
  /** the worker's latest start marker, as applied */
  lastMarker: { id: number; at: number } | undefined;

  /**
   * The job the worker is running, as far as the parent knows: the latest one whose marker
   * arrived (everything before it is done, answered or not), else the head of the line.
   */
  running(): Running | undefined {
    for (let i = this.jobs.length - 1; i >= 0; i--) {
      const r = this.jobs[i];
      if (r?.marked) return r;
    }
    return this.jobs[0];
  }

  /** When the running job's budget runs out (Infinity when the line is empty). */
  deadline(): number {
    const r = this.running();
    return r ? r.started + budgetOf(r) : Number.POSITIVE_INFINITY;
  }

  /**
   * The earliest moment a budget of this line could run out, whatever the worker started since
   * the latest marker the pool read: the running job's later phases, and the jobs after it, cannot
   * have started before it did (nor before they were sent). Past it, read the markers again.
   */
  earliestDeadline(): number {
    const r = this.running();
    if (!r) return Number.POSITIVE_INFINITY;
    const from = r.marked ? r.started : Math.min(r.started, r.dispatched ?? r.started);
    let least = Number.POSITIVE_INFINITY;
    for (let i = this.jobs.indexOf(r); i < this.jobs.length; i++) {
      const j = this.jobs[i] as Running;
      if (j.handedOff) continue;
      const phases = j.job.phases;
      if (!phases) least = Math.min(least, j === r ? budgetOf(j) : j.job.timeoutMs);
      else
        for (let p = j === r ? (j.phase ?? 0) : 0; p < phases.length; p++) least = Math.min(least, phases[p] ?? least);
    }
    return from + least;
  }

  /** The jobs waiting behind the running one (not started, not handed off). */
  waiting(): Running[] {
    const r = this.running();
    const from = r ? this.jobs.indexOf(r) + 1 : 0;
    return this.jobs.slice(from).filter((j) => !j.marked && !j.handedOff);
  }

  /** When the jobs waiting behind the running one are to be handed off (Infinity: never). */
  handOffAt(): number {
    const r = this.running();
    return r && this.waiting().length ? r.started + HAND_OFF_AFTER_MS : Number.POSITIVE_INFINITY;
  }

  /** The running job has run long enough that new jobs should go elsewhere. */
  slow(now: number): boolean {
    const r = this.running();
    return r !== undefined && now - r.started >= HAND_OFF_AFTER_MS;
  }

  /**
   * A start marker arrived (of a job, or of one of its phases); markers of jobs already answered,
   * or of another worker, are ignored.
   */
  mark(id: number, at: number, now: number): boolean {
    const r = this.jobs.find((j) => j.id === id || (j.job.phases && id > j.id && id < j.id + j.job.phases.length));
    if (!r) return false;
    r.started = Math.min(at, now);
    r.marked = true;
    if (r.job.phases) r.phase = id - r.id;
    return true;
  }

  /** Answers, in the order the worker ran the jobs; a lap restarts its job's clock. */
  answer(replies: JobReply[], now: number): void {
    const before = this.jobs[0];
    for (const reply of replies) {
      const head = this.jobs[0];
      if (!head || reply.id !== head.id) continue;
      // a job handed off is answered by the worker it went to; this one dropped or ran it
      if (head.handedOff) {
        if (reply.type !== 'lap') this.jobs.shift();
        continue;
      }
      if (reply.type === 'lap') head.started = now;
      if (head.job.onReply(reply)) this.jobs.shift();
    }
    const next = this.jobs[0];
    if (next && next !== before && !next.marked) next.started = now;
    if (!next) this.solo = false;
  }

  /**
   * What the abort of `signal` means for this line: `kill` when the job running is one of its (a
   * runaway would hold the worker until its timeout), else its jobs waiting here, now dropped: the
   * worker is to be told, and whatever it still says of them is ignored.
   */
  dropFor(signal: AbortSignal): 'kill' | Running[] {
    const running = this.running();
    if (running && !running.handedOff && running.job.signal === signal) return 'kill';
    const dropped = this.waiting().filter((r) => r.job.signal === signal);
    for (const r of dropped) r.handedOff = true;
    return dropped;
  }

  /**
   * The worker died (`killed` for a timeout or a cancel, of memory, or otherwise): the job it was
   * running fails with its own time and reason (the start markers are all in: the pipes were
   * drained first), and the ones it had finished but not yet answered, or not started, run again
   * elsewhere. Jobs handed off are another worker's. A job killed a moment before its own deadline
   * (its start marker was still in the pipe when the kill was decided) is not at fault: it runs
   * again too. A job whose caller cancelled it neither fails nor runs again: it is `cancelled`.
   */
  afterDeath(
    cause: 'killed' | 'out_of_memory' | 'crashed',
    at: { now: number; memoryMb: number; why: string },
  ): { again: Job[]; failed?: { job: Job; failure: ExecFailure; phase?: number }; cancelled: Job[] } {
    const culprit = this.running();
    const again: Job[] = [];
    const cancelled: Job[] = [];
    let failed: { job: Job; failure: ExecFailure; phase?: number } | undefined;
    for (const r of this.jobs) {
      if (r.handedOff) continue;
      if (r.job.signal?.aborted) {
        cancelled.push(r.job);
        continue;
      }
      const ms = (this.killedAt ?? at.now) - r.started;
      const budget = budgetOf(r);
      if (r !== culprit || (cause === 'killed' && ms < budget)) {
        again.push(r.job);
        continue;
      }
      const failure: ExecFailure =
        cause === 'killed'
          ? {
              ok: false,
              error: 'timeout',
              message: `timed out after ${budget} ms; the worker running it was killed`,
              ms,
            }
          : cause === 'out_of_memory'
            ? { ok: false, error: 'out_of_memory', message: outOfMemoryMessage(at.memoryMb), ms }
            : {
                ok: false,
                error: 'worker_crashed',
                message: `the SQL worker died while running this query: ${at.why}`,
                ms,
              };
      failed = { job: r.job, failure, ...(r.job.phases ? { phase: r.phase ?? 0 } : {}) };
    }
    return { again, failed, cancelled };
  }
}

/** What a job its caller cancelled fails with (see WorkerPool `cancel`). */
export function cancelledFailure(ms: number): ExecFailure {
  return { ok: false, error: 'cancelled', message: 'cancelled by its caller before it finished', ms };
}
