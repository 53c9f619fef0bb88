import { availableParallelism } from 'node:os';
import type { RunContext, SessionProvenance } from '@trueboard/contracts';
import type { InferenceSession } from 'onnxruntime-node';
import { type CudaProbe, DeviceUnavailableError, probeCuda } from './device';
import type { PlainTensor, ValueMetadata } from './onnx-protocol';
import { DEFAULT_ONNX_BATCH_TIMEOUT_MS, DEFAULT_ONNX_MEMORY_MB, envLimit, OnnxWorker } from './onnx-worker-process';

export interface OnnxSessionOptions {
  /** what the session holds ("cross-encoder", "base model"): in provenance and messages */
  label?: string;
  /** threads within an operator; default: every core the process may use */
  intraOpNumThreads?: number;
  /** threads across operators; default 1 (operators run one after another) */
  interOpNumThreads?: number;
  /** further ONNX Runtime options; the providers, threads and execution mode are the helper's */
  sessionOptions?: Omit<
    InferenceSession.SessionOptions,
    'executionProviders' | 'intraOpNumThreads' | 'interOpNumThreads' | 'executionMode'
  >;
  /** default probeCuda (tests replace it) */
  probe?: () => Promise<CudaProbe>;
  /**
   * how long one run may take before its worker is killed (default TRUEBOARD_ONNX_BATCH_TIMEOUT_S
   * seconds, else 300 s); opening the model gets the same time
   */
  batchTimeoutMs?: number;
  /** the worker's data cap on the CPU (default TRUEBOARD_ONNX_MEMORY_MB, else 4096 MiB) */
  memoryMb?: number;
}

/**
 * An ONNX Runtime session in a worker process of its own (see onnx-worker-process.ts): the runner's
 * event loop keeps running during a batch, and a batch past its deadline is stopped by killing the
 * worker. Tensors cross as plain data.
 */
export interface RemoteSession {
  readonly inputMetadata: readonly ValueMetadata[];
  readonly outputMetadata: readonly ValueMetadata[];
  /** the data cap of the worker, when it has one */
  readonly memoryMb: number | undefined;
  /** the worker's process id */
  readonly pid: number | undefined;
  run(
    feeds: Record<string, PlainTensor>,
    outputNames: string[],
    options?: { signal?: AbortSignal },
  ): Promise<Record<string, PlainTensor>>;
  release(): Promise<void>;
}

export interface OnnxSession {
  session: RemoteSession;
  /** what ran it: put it in the report's `provenance.sessions` */
  provenance: SessionProvenance;
}

/**
 * Opens an ONNX Runtime session on the run's device: the CUDA execution provider when `ctx.device` is
 * cuda and the provider is there and loads, else the CPU. Falling back is recorded with its reason;
 * when the operator required CUDA (`--device cuda`) it is a DeviceUnavailableError instead, as in
 * chooseDevice. The thread settings are fixed here, not left to ONNX Runtime's defaults, so provenance
 * can state them.
 */
export async function openOnnxSession(
  model: string | Uint8Array,
  ctx: Pick<RunContext, 'device' | 'deviceRequest'>,
  options: OnnxSessionOptions = {},
): Promise<OnnxSession> {
  const label = options.label ?? 'model';
  const intraOpNumThreads = options.intraOpNumThreads ?? availableParallelism();
  const interOpNumThreads = options.interOpNumThreads ?? 1;
  const base: InferenceSession.SessionOptions = {
    ...options.sessionOptions,
    intraOpNumThreads,
    interOpNumThreads,
    executionMode: interOpNumThreads > 1 ? 'parallel' : 'sequential',
  };
  const batchTimeoutMs =
    options.batchTimeoutMs ?? envLimit('TRUEBOARD_ONNX_BATCH_TIMEOUT_S', DEFAULT_ONNX_BATCH_TIMEOUT_MS / 1000, 1000);
  const memoryMb = options.memoryMb ?? envLimit('TRUEBOARD_ONNX_MEMORY_MB', DEFAULT_ONNX_MEMORY_MB);
  const provenance = (version: string, provider: 'cpu' | 'cuda', fallback?: string): SessionProvenance => ({
    runtime: `onnxruntime-node ${version}`,
    provider,
    ...(fallback ? { fallback } : {}),
    intraOpNumThreads,
    interOpNumThreads,
    label,
  });
  /** a worker with the model open on these providers; a worker that fails to open it is ended */
  const create = async (providers: string[]) => {
    // CUDA maps device memory into the process: a data cap would break it, so GPU sessions run uncapped
    const worker = new OnnxWorker({ memoryMb: providers.includes('cuda') ? undefined : memoryMb });
    try {
      const opened = await worker.open(model, { ...base, executionProviders: providers }, batchTimeoutMs);
      return { session: remoteSession(worker, opened, batchTimeoutMs), version: opened.version };
    } catch (e) {
      await worker.release();
      throw e;
    }
  };
  let fallback: string | undefined;
  if (ctx.device === 'cuda') {
    const cuda = await (options.probe ?? probeCuda)();
    if (!cuda.available) {
      if (ctx.deviceRequest === 'cuda') {
        throw new DeviceUnavailableError(
          `device cuda requested but CUDA is not available: ${cuda.detail} (use --device cpu or auto)`,
        );
      }
      fallback = cuda.detail;
    } else {
      try {
        // nodes CUDA cannot run go to the CPU provider, as ONNX Runtime assigns them
        const { session, version } = await create(['cuda', 'cpu']);
        return { session, provenance: provenance(version, 'cuda') };
      } catch (e) {
        const why = `the CUDA execution provider failed to open the ${label}: ${firstLine(e)}`;
        if (ctx.deviceRequest === 'cuda')
          throw new DeviceUnavailableError(`device cuda requested but ${why} (use --device cpu or auto)`);
        fallback = why;
      }
    }
  }
  const { session, version } = await create(['cpu']);
  return { session, provenance: provenance(version, 'cpu', fallback) };
}

function remoteSession(
  worker: OnnxWorker,
  opened: { inputMetadata: ValueMetadata[]; outputMetadata: ValueMetadata[] },
  timeoutMs: number,
): RemoteSession {
  return {
    inputMetadata: opened.inputMetadata,
    outputMetadata: opened.outputMetadata,
    memoryMb: worker.memoryMb,
    pid: worker.pid,
    run: (feeds, outputNames, o = {}) => worker.run(feeds, outputNames, { timeoutMs, signal: o.signal }),
    release: () => worker.release(),
  };
}

/** ONNX Runtime's errors may run to several lines; the first says what failed. */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]?.trim() || 'unknown error';
}
