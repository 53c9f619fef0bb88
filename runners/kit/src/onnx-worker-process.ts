import { type ChildProcess, fork, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { InferenceSession } from 'onnxruntime-node';
import { isOnnxReply, type OnnxReply, type OnnxRequest, type PlainTensor, type ValueMetadata } from './onnx-protocol';

/** Data a worker may map (heap and private writable mappings) unless told otherwise: TRUEBOARD_ONNX_MEMORY_MB. */
export const DEFAULT_ONNX_MEMORY_MB = 4096;
/** How long one batch may run unless told otherwise: TRUEBOARD_ONNX_BATCH_TIMEOUT_S. */
export const DEFAULT_ONNX_BATCH_TIMEOUT_MS = 300_000;
const STDERR_TAIL = 2000;
/** What V8, the C++ runtime and ONNX Runtime print or throw when an allocation fails. */
const OUT_OF_MEMORY = /out of memory|bad_alloc|allocation failed|failed to allocate/i;

/**
 * A setting from the environment times `scale` (seconds to ms: 1000); `fallback`, in the variable's
 * unit, when unset; a clear error when malformed.
 */
export function envLimit(name: string, fallback: number, scale = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback * scale;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n * scale;
}

/** The batch did not finish within its deadline; the worker was killed. */
export class OnnxTimeoutError extends Error {
  override name = 'OnnxTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`it ran longer than ${timeoutMs / 1000} s, the limit per batch; the ONNX worker running it was killed`);
  }
}

/**
 * What went wrong in or with the worker: `runtime`, ONNX Runtime threw (the model's doing, as a rule);
 * `crash`, the process died of a crash signal (SIGSEGV, SIGABRT, …: ONNX Runtime crashed on the graph);
 * `gone`, it could not start, or exited or was killed otherwise (from outside: the runner's problem).
 */
export type OnnxFailureKind = 'runtime' | 'crash' | 'gone';
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGABRT', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGTRAP', 'SIGSYS']);

export class OnnxWorkerError extends Error {
  override name = 'OnnxWorkerError';
  constructor(
    message: string,
    readonly kind: OnnxFailureKind,
    /** an allocation failed at the worker's memory limit */
    readonly outOfMemory: boolean,
    /** the worker's limit on its data, when one was set */
    readonly memoryMb: number | undefined,
  ) {
    super(message);
  }
}

/**
 * The worker's entry point: the CLI bundle puts a compiled onnx-worker.cjs next to itself; run from
 * source (tests, tsx) this directory has none, and onnx-worker.ts runs through tsx's loader.
 */
function workerEntry(): { module: string; execArgv: string[] } {
  const compiled = join(import.meta.dirname, 'onnx-worker.cjs');
  if (existsSync(compiled)) return { module: compiled, execArgv: [] };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { module: fileURLToPath(new URL('./onnx-worker.ts', import.meta.url)), execArgv: ['--import', tsx] };
}

export interface OnnxWorkerOptions {
  /**
   * cap on the worker's data segment (Linux: RLIMIT_DATA through `ulimit -d`, which covers malloc and
   * private writable mappings); undefined = no cap (CUDA maps device memory into the process, so
   * sessions on a GPU run uncapped)
   */
  memoryMb?: number;
}

/**
 * One ONNX Runtime session in a child process of its own. Every call is answered or fails: a batch
 * past its deadline or an aborted signal kills the process (session.run cannot be interrupted any
 * other way), and a process that dies fails what was pending with why it died.
 */
export class OnnxWorker {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve(r: OnnxReply): void; reject(e: Error): void }>();
  private nextId = 1;
  private stderrTail = '';
  private gone: Error | undefined;
  private readonly exited: Promise<void>;
  readonly memoryMb: number | undefined;

  constructor(options: OnnxWorkerOptions = {}) {
    this.memoryMb = options.memoryMb;
    const entry = workerEntry();
    const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
    const spawnOptions = {
      serialization: 'advanced' as const,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'] as ('ignore' | 'pipe' | 'ipc')[],
      env,
    };
    const args = [...entry.execArgv, entry.module];
    this.child =
      process.platform === 'linux' && this.memoryMb !== undefined
        ? spawn(
            '/bin/sh',
            [
              '-c',
              'ulimit -d "$1" && shift && exec "$@"',
              'sh',
              String(this.memoryMb * 1024),
              process.execPath,
              ...args,
            ],
            spawnOptions,
          )
        : fork(entry.module, [], { ...spawnOptions, execArgv: entry.execArgv });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL);
    });
    this.child.on('message', (msg: unknown) => {
      if (!isOnnxReply(msg)) return;
      // replies to a run carry its id; opening is request 0
      this.pending.get('id' in msg && msg.id !== undefined ? msg.id : 0)?.resolve(msg);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.fail(`the ONNX worker could not start: ${err.message}`, 'gone');
        resolve();
      });
      this.child.on('exit', (code, signal) => {
        // stderr may still hold the reason; give it a moment (a timer that keeps the process up:
        // release() awaits it)
        setTimeout(() => {
          const kind = signal && CRASH_SIGNALS.has(signal) ? 'crash' : 'gone';
          this.fail(`the ONNX worker exited (${signal ?? `code ${code}`})${this.stderrSuffix()}`, kind);
          resolve();
        }, 50);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Opens the model; rejects with ONNX Runtime's message when it cannot. */
  async open(
    model: string | Uint8Array,
    options: InferenceSession.SessionOptions,
    timeoutMs: number,
  ): Promise<{ inputMetadata: ValueMetadata[]; outputMetadata: ValueMetadata[]; version: string }> {
    const r = await this.request(0, { type: 'open', model, options }, timeoutMs);
    if (r.type === 'failed') throw this.failure(r.message, 'runtime');
    if (r.type !== 'opened') throw new Error(`the ONNX worker answered ${r.type} to open`);
    return r;
  }

  /** Runs one batch within `timeoutMs`; an abort of `signal` kills the worker at once. */
  async run(
    feeds: Record<string, PlainTensor>,
    outputs: string[],
    { timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<Record<string, PlainTensor>> {
    const id = this.nextId++;
    const r = await this.request(id, { type: 'run', id, feeds, outputs }, timeoutMs, signal);
    if (r.type === 'failed') throw this.failure(r.message, 'runtime');
    if (r.type !== 'ran') throw new Error(`the ONNX worker answered ${r.type} to run`);
    return r.outputs;
  }

  /** Ends the worker (it exits when its channel closes) and waits for it; killed if it lingers. */
  async release(graceMs = 2000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.disconnect();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      timer.unref();
      await this.exited;
      clearTimeout(timer);
    }
  }

  private request(id: number, req: OnnxRequest, timeoutMs: number, signal?: AbortSignal): Promise<OnnxReply> {
    if (this.gone) return Promise.reject(this.gone);
    signal?.throwIfAborted();
    return new Promise<OnnxReply>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      const timer = setTimeout(() => {
        done();
        this.child.kill('SIGKILL');
        reject(new OnnxTimeoutError(timeoutMs));
      }, timeoutMs);
      const onAbort = () => {
        done();
        this.child.kill('SIGKILL');
        reject(signal?.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      this.child.send(req, (err) => {
        if (err) this.pending.get(id)?.reject(this.failure(`the ONNX worker is not reachable: ${err.message}`, 'gone'));
      });
    });
  }

  /** The process is gone: everything pending fails with why. */
  private fail(why: string, kind: OnnxFailureKind): void {
    this.gone ??= this.failure(why, kind);
    for (const [id, w] of [...this.pending]) {
      this.pending.delete(id);
      w.reject(this.gone);
    }
  }

  private failure(message: string, kind: OnnxFailureKind): OnnxWorkerError {
    const outOfMemory = OUT_OF_MEMORY.test(message) || OUT_OF_MEMORY.test(this.stderrTail);
    return new OnnxWorkerError(message, kind, outOfMemory, this.memoryMb);
  }

  private stderrSuffix(): string {
    const tail = this.stderrTail.trim();
    return tail ? `: ${tail.split('\n').slice(-5).join(' | ')}` : '';
  }
}
