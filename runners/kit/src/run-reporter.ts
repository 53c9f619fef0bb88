import type { LogRequest } from '@trueboard/contracts';
import type { PlatformClient } from './client';
import type { LogLevel, RunnerEvent } from './events';
import { refusesRun } from './platform-error';

type LogLine = LogRequest['lines'][number];

const MAX_LINES_PER_REQUEST = 500;
const MAX_LOG_MESSAGE = 4000;
const MAX_PROGRESS_MESSAGE = 500;

export interface ReporterTiming {
  /** minimum gap between progress requests; default 500 ms (at most 2 per second) */
  progressIntervalMs?: number;
  /** how long log lines may wait to be batched; default 1 s */
  logFlushMs?: number;
}

/**
 * Streams one run's progress and logs to the platform without letting a chatty evaluator flood it:
 * progress is coalesced to the latest value per interval, log lines are batched. Failures to send
 * are warnings, never job failures.
 */
export class RunReporter {
  private readonly progressIntervalMs: number;
  private readonly logFlushMs: number;
  private pendingProgress: { fraction: number; message: string } | undefined;
  private lastProgressAt = 0;
  private progressTimer: NodeJS.Timeout | undefined;
  private progressChain: Promise<void> = Promise.resolve();
  private lines: LogLine[] = [];
  private logTimer: NodeJS.Timeout | undefined;
  private logChain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly client: PlatformClient,
    private readonly runId: string,
    private readonly emit: (e: RunnerEvent) => void,
    timing: ReporterTiming = {},
    /** called when the platform refuses a line because the run is no longer ours (see refusesRun) */
    private readonly onRefused: () => void = () => {},
  ) {
    this.progressIntervalMs = timing.progressIntervalMs ?? 500;
    this.logFlushMs = timing.logFlushMs ?? 1000;
  }

  progress(fraction: number, message = ''): void {
    if (this.closed || !Number.isFinite(fraction)) return;
    this.pendingProgress = {
      fraction: Math.min(1, Math.max(0, fraction)),
      message: String(message).slice(0, MAX_PROGRESS_MESSAGE),
    };
    const wait = this.lastProgressAt + this.progressIntervalMs - Date.now();
    if (wait <= 0) this.sendProgress();
    else if (!this.progressTimer) {
      this.progressTimer = setTimeout(() => {
        this.progressTimer = undefined;
        this.sendProgress();
      }, wait);
    }
  }

  log(level: LogLevel, message: string): void {
    if (this.closed) return;
    const text = String(message);
    this.emit({ type: 'log', runId: this.runId, level, message: text });
    this.lines.push({ level, message: text.slice(0, MAX_LOG_MESSAGE), ts: new Date().toISOString() });
    if (this.lines.length >= MAX_LINES_PER_REQUEST) this.sendLogs();
    else if (!this.logTimer) {
      this.logTimer = setTimeout(() => {
        this.logTimer = undefined;
        this.sendLogs();
      }, this.logFlushMs);
    }
  }

  /** Sends everything pending and waits until the server has it (or refused it). */
  async flush(): Promise<void> {
    this.sendProgress();
    this.sendLogs();
    await Promise.all([this.progressChain, this.logChain]);
  }

  /** Drops anything still pending; later calls are ignored. */
  close(): void {
    this.closed = true;
    clearTimeout(this.progressTimer);
    clearTimeout(this.logTimer);
    this.pendingProgress = undefined;
    this.lines = [];
  }

  private sendProgress(): void {
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    const p = this.pendingProgress;
    if (!p) return;
    this.pendingProgress = undefined;
    this.lastProgressAt = Date.now();
    this.emit({ type: 'progress', runId: this.runId, ...p });
    this.progressChain = this.progressChain
      .then(() => this.client.progress(this.runId, p))
      .catch((e: unknown) => this.warn('progress', e));
  }

  private sendLogs(): void {
    clearTimeout(this.logTimer);
    this.logTimer = undefined;
    while (this.lines.length > 0) {
      const batch = this.lines.splice(0, MAX_LINES_PER_REQUEST);
      this.logChain = this.logChain
        .then(() => this.client.logs(this.runId, batch))
        .catch((e: unknown) => this.warn('logs', e));
    }
  }

  private warn(what: string, e: unknown): void {
    // once the job is over, what it could not send no longer matters
    if (this.closed) return;
    // not a failure to report: the job asks the platform why, and stops if the run is gone
    if (refusesRun(e)) {
      this.onRefused();
      return;
    }
    const message = `could not send ${what}: ${e instanceof Error ? e.message : String(e)}`;
    this.emit({ type: 'warning', runId: this.runId, message });
  }
}
