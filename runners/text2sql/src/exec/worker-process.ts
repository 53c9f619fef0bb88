import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_WORKER_MEMORY_MB } from './limits';
import { isWorkerReply, type WorkerBatch, type WorkerReply } from './protocol';

const WORKER_MODULE = fileURLToPath(new URL('./worker.ts', import.meta.url));
// the worker is TypeScript like the rest of the repo: run it through tsx's loader
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const STDERR_TAIL = 2000;
const STDERR_DRAIN_MS = 200;
/** What V8, the C++ runtime and Node print when an allocation fails for good. */
const OUT_OF_MEMORY = /out of memory|bad_alloc|allocation failed/i;

export interface WorkerEvents {
  onReady(worker: WorkerProcess): void;
  /** answers, in the order the worker ran the jobs */
  onReplies(worker: WorkerProcess, replies: Exclude<WorkerReply, { type: 'ready' }>[]): void;
  /**
   * the process is gone, for whatever reason; `why` describes it for error messages, and
   * `outOfMemory` says it died because an allocation failed at its memory limit
   */
  onExit(worker: WorkerProcess, why: string, outOfMemory: boolean): void;
}

/**
 * Starts the worker with its memory bounded. On Linux the data segment (RLIMIT_DATA: heap and
 * private writable mappings, which since Linux 4.7 include mmap) is capped at `memoryMb` through
 * the shell's `ulimit -d`, so SQLite's own allocations fail with SQLITE_NOMEM instead of growing the
 * process (better-sqlite3 builds SQLite with SQLITE_DEFAULT_MEMSTATUS=0, which turns
 * `PRAGMA hard_heap_limit` into a no-op); elsewhere only V8's heap is capped.
 */
function start(memoryMb: number): ChildProcess {
  const execArgv = [`--max-old-space-size=${Math.max(64, Math.floor(memoryMb / 2))}`, '--import', TSX_LOADER];
  const options = {
    // 'advanced' = structured clone: Buffers and bigints survive the trip
    serialization: 'advanced' as const,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'] as ('ignore' | 'pipe' | 'ipc')[],
    env: { ...process.env, TRUEBOARD_SQL_WORKER_MEMORY_MB: String(memoryMb) },
  };
  if (process.platform !== 'linux') return fork(WORKER_MODULE, [], { ...options, execArgv });
  const script = 'ulimit -d "$1" && shift && exec "$@"';
  const kib = String(memoryMb * 1024);
  return spawn('/bin/sh', ['-c', script, 'sh', kib, process.execPath, ...execArgv, WORKER_MODULE], options);
}

/** The parent's handle on one forked SQL worker process. */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private stderrTail = '';
  private markGone: () => void = () => {};
  /** became ready at some point (a worker that dies before that failed to start) */
  ready = false;
  exited = false;
  /** settles once the process is gone and reaped */
  readonly gone = new Promise<void>((resolve) => {
    this.markGone = resolve;
  });

  constructor(events: WorkerEvents, memoryMb = DEFAULT_WORKER_MEMORY_MB) {
    this.child = start(memoryMb);
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL);
    });
    this.child.on('message', (msg: unknown) => {
      if (Array.isArray(msg)) {
        events.onReplies(
          this,
          msg.filter((r): r is Exclude<WorkerReply, { type: 'ready' }> => isWorkerReply(r) && r.type !== 'ready'),
        );
      } else if (isWorkerReply(msg) && msg.type === 'ready') {
        this.ready = true;
        events.onReady(this);
      }
    });
    // 'error' covers a failed spawn or kill; 'exit' follows when the process existed at all
    this.child.on('error', (err) => this.exit(events, `worker process error: ${err.message}`));
    // 'exit' = reaped. (Not 'close': it never comes after the parent disconnects the channel.)
    this.child.on('exit', (code, signal) => {
      const done = () => this.exit(events, `worker exited (${signal ?? `code ${code}`})${this.stderrSuffix()}`);
      const stderr = this.child.stderr;
      if (!stderr || stderr.destroyed) return done();
      // let stderr drain first, briefly: it may hold the stack trace that explains a crash
      stderr.once('close', done);
      setTimeout(done, STDERR_DRAIN_MS).unref();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(batch: WorkerBatch): void {
    this.child.send(batch);
  }

  /** SIGKILL: a query stuck inside SQLite cannot be interrupted any other way. */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** Ask an idle worker to finish (it exits when its IPC channel closes); kill it if it lingers. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.exited) return;
    this.setRef(true);
    if (!this.ready || !this.child.connected) this.kill();
    else this.child.disconnect();
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.gone;
    clearTimeout(timer);
  }

  /** Whether this process keeps the parent's event loop alive: only while it has work. */
  setRef(on: boolean): void {
    const stderr = this.child.stderr instanceof Socket ? this.child.stderr : undefined;
    if (on) {
      this.child.ref();
      this.child.channel?.ref();
      stderr?.ref();
    } else {
      this.child.unref();
      this.child.channel?.unref();
      stderr?.unref();
    }
  }

  private exit(events: WorkerEvents, why: string): void {
    if (this.exited) return;
    this.exited = true;
    // after an 'error' the process may still be alive; make sure it is not
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.markGone();
    events.onExit(this, why, OUT_OF_MEMORY.test(this.stderrTail));
  }

  private stderrSuffix(): string {
    const tail = this.stderrTail.trim();
    return tail ? `: ${tail}` : '';
  }
}
