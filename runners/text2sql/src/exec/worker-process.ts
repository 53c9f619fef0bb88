import { type ChildProcess, fork, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_WORKER_MEMORY_MB } from './limits';
import {
  isWorkerReply,
  MARKER_BYTES,
  readMarker,
  type WorkerBatch,
  type WorkerCancel,
  type WorkerReply,
} from './protocol';

/**
 * The worker's entry point. The CLI bundle (packages/cli/build.mjs) puts a compiled worker,
 * sql-worker.cjs, next to itself: plain JavaScript starts in a fraction of the time. Run from
 * source (tests, tsx), this file's directory has none, and worker.ts runs through tsx's loader.
 */
function workerEntry(): { module: string; execArgv: string[] } {
  const compiled = join(import.meta.dirname, 'sql-worker.cjs');
  if (existsSync(compiled)) return { module: compiled, execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { module: fileURLToPath(new URL('./worker.ts', import.meta.url)), execArgv: ['--import', tsx] };
}

let entry: ReturnType<typeof workerEntry> | undefined;
let markerDirectory: string | undefined;

/**
 * Where the marker files go: memory (/dev/shm) where there is one. A worker writes a marker before
 * every query; on a disk file system each write also dirties the inode's times, which cost a cold
 * worker about a tenth of its time on Spider dev.
 */
function markerDir(): string {
  markerDirectory ??= process.platform === 'linux' && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return markerDirectory;
}
let markerFiles = 0;
const STDERR_TAIL = 2000;
const PIPE_DRAIN_MS = 200;
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
function start(memoryMb: number, markerFd: number): ChildProcess {
  entry ??= workerEntry();
  const execArgv = [
    `--max-old-space-size=${Math.max(64, Math.floor(memoryMb / 2))}`,
    // SQLite does the heavy lifting; optimizing the worker's own JavaScript cost more CPU than it
    // saved over an evaluation (about a third of a cold worker's time on Spider dev)
    '--no-opt',
    ...entry.execArgv,
  ];
  const options = {
    // 'advanced' = structured clone: Buffers and bigints survive the trip
    serialization: 'advanced' as const,
    // stderr carries what explains a crash, fd 3 the IPC channel, and fd MARKER_FD (4) the file
    // of start markers (see protocol.ts)
    stdio: ['ignore', 'ignore', 'pipe', 'ipc', markerFd] as ('ignore' | 'pipe' | 'ipc' | number)[],
    env: workerEnv(memoryMb),
  };
  if (process.platform !== 'linux') return fork(entry.module, [], { ...options, execArgv });
  const script = `ulimit -d "$1" && shift && ${EXEC_TIED_TO_PARENT}`;
  const kib = String(memoryMb * 1024);
  return spawn('/bin/sh', ['-c', script, 'sh', kib, process.execPath, ...execArgv, entry.module], options);
}

/**
 * `exec "$@"`, tied to this process where util-linux's setpriv can (2.33 on): the worker gets SIGKILL
 * when its parent dies (PR_SET_PDEATHSIG). A runaway query holds the worker's only thread, so the
 * 'disconnect' it would otherwise exit on never runs: a parent killed mid-query (kill -9, the OOM
 * killer) left the worker running it for good.
 */
const EXEC_TIED_TO_PARENT =
  'if setpriv --pdeathsig KILL true 2>/dev/null; then exec setpriv --pdeathsig KILL "$@"; fi; exec "$@"';

/**
 * The worker's environment: the parent's, less what would make every worker start slower for
 * nothing (Node loads NODE_EXTRA_CA_CERTS at start-up, ~30 ms; a SQL worker opens no connection).
 */
function workerEnv(memoryMb: number): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
  return { ...env, TRUEBOARD_SQL_WORKER_MEMORY_MB: String(memoryMb) };
}

/** The parent's handle on one forked SQL worker process. */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private markerFd: number;
  private readonly markerBuf = Buffer.alloc(MARKER_BYTES);
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
    // the markers' file: gone from the directory at once, it lives as long as the descriptors
    const path = join(markerDir(), `trueboard-sql-marker-${process.pid}-${++markerFiles}`);
    this.markerFd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
    try {
      this.child = start(memoryMb, this.markerFd);
    } catch (err) {
      closeSync(this.markerFd);
      throw err;
    }
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
      // let stderr drain first, briefly: it may hold the stack trace that explains a crash
      const stderr = this.child.stderr;
      if (!stderr || stderr.destroyed) return done();
      stderr.once('close', done);
      setTimeout(done, PIPE_DRAIN_MS).unref();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The latest start marker the worker wrote (see protocol.ts), or null. */
  marker(): { id: number; at: number } | null {
    if (this.markerFd < 0) return null;
    for (let tries = 0; tries < 3; tries++) {
      if (readSync(this.markerFd, this.markerBuf, 0, MARKER_BYTES, 0) < MARKER_BYTES) return null;
      const m = readMarker(this.markerBuf);
      if (m) return m;
    }
    return null;
  }

  send(message: WorkerBatch | WorkerCancel): void {
    this.child.send(message);
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
    const pipes = [this.child.stderr].filter((p) => p instanceof Socket);
    if (on) {
      this.child.ref();
      this.child.channel?.ref();
      for (const p of pipes) p.ref();
    } else {
      this.child.unref();
      this.child.channel?.unref();
      for (const p of pipes) p.unref();
    }
  }

  private exit(events: WorkerEvents, why: string): void {
    if (this.exited) return;
    this.exited = true;
    // after an 'error' the process may still be alive; make sure it is not
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.markGone();
    try {
      // the pool reads the last start marker here, to know which job was running
      events.onExit(this, why, OUT_OF_MEMORY.test(this.stderrTail));
    } finally {
      closeSync(this.markerFd);
      this.markerFd = -1;
    }
  }

  private stderrSuffix(): string {
    const tail = this.stderrTail.trim();
    return tail ? `: ${tail}` : '';
  }
}
