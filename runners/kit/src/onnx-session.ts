import { availableParallelism } from 'node:os';
import type { RunContext, SessionProvenance } from '@trueboard/contracts';
import type { InferenceSession } from 'onnxruntime-node';
import { type CudaProbe, DeviceUnavailableError, probeCuda } from './device';

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
}

export interface OnnxSession {
  session: InferenceSession;
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
  const ort = await import('onnxruntime-node');
  const label = options.label ?? 'model';
  const intraOpNumThreads = options.intraOpNumThreads ?? availableParallelism();
  const interOpNumThreads = options.interOpNumThreads ?? 1;
  const base: InferenceSession.SessionOptions = {
    ...options.sessionOptions,
    intraOpNumThreads,
    interOpNumThreads,
    executionMode: interOpNumThreads > 1 ? 'parallel' : 'sequential',
  };
  const provenance = (provider: 'cpu' | 'cuda', fallback?: string): SessionProvenance => ({
    runtime: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common}`,
    provider,
    ...(fallback ? { fallback } : {}),
    intraOpNumThreads,
    interOpNumThreads,
    label,
  });
  const create = (providers: string[]) => {
    const o = { ...base, executionProviders: providers };
    return typeof model === 'string' ? ort.InferenceSession.create(model, o) : ort.InferenceSession.create(model, o);
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
        const session = await create(['cuda', 'cpu']);
        return { session, provenance: provenance('cuda') };
      } catch (e) {
        const why = `the CUDA execution provider failed to open the ${label}: ${firstLine(e)}`;
        if (ctx.deviceRequest === 'cuda')
          throw new DeviceUnavailableError(`device cuda requested but ${why} (use --device cpu or auto)`);
        fallback = why;
      }
    }
  }
  const session = await create(['cpu']);
  return { session, provenance: provenance('cpu', fallback) };
}

/** ONNX Runtime's errors may run to several lines; the first says what failed. */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]?.trim() || 'unknown error';
}
