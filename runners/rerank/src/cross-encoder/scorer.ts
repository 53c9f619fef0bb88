import { endianness } from 'node:os';
import type { RunContext, SessionProvenance } from '@trueboard/contracts';
import { SubmissionError } from '@trueboard/contracts';
import {
  DeviceUnavailableError,
  type OnnxSessionOptions,
  type OnnxTimeoutError,
  type OnnxWorkerError,
  openOnnxSession,
  type PlainTensor,
  type RemoteSession,
} from '@trueboard/kit';
import { type BatchLimits, DEFAULT_BATCH_LIMITS, planBatches } from './batching';
import { readModelDirectory } from './model-dir';
import { type PairEncoding, PairTokenizer } from './pair-tokenizer';
import { type CrossEncoderSignature, checkSignature } from './signature';

export interface QueryPassage {
  query: string;
  passage: string;
}

/** Where the time went in one `score` call; the bench prints these. */
export interface ScoreStats {
  pairs: number;
  batches: number;
  wallMs: number;
  /** time awaiting session.run */
  runMs: number;
  /** share of wall time outside session.run: tokenizing, batching, copying into and out of tensors */
  outsideShare: number;
  pairsPerSecond: number;
  /** padding tokens over all tokens fed */
  paddingShare: number;
  truncatedPassages: number;
  truncatedQueries: number;
}

/** What a long `score` call reports and obeys between batches. */
export interface ScoreControl {
  /** checked between batches (and while tokenizing): an aborted signal stops the call with its reason */
  signal?: AbortSignal;
  /** after each batch: pairs scored so far, of `total` */
  onProgress?(scored: number, total: number): void;
}

export interface OpenCrossEncoderOptions
  extends Pick<OnnxSessionOptions, 'intraOpNumThreads' | 'probe' | 'batchTimeoutMs' | 'memoryMb'> {
  maxModelBytes?: number;
  batch?: BatchLimits;
}

/** A cross-encoder directory opened for scoring: its tokenizer, an ONNX session and its checked signature. */
export class CrossEncoder {
  private constructor(
    readonly tokenizer: PairTokenizer,
    private readonly session: RemoteSession,
    readonly signature: CrossEncoderSignature,
    /** put it in the report's provenance.sessions */
    readonly provenance: SessionProvenance,
    private readonly limits: BatchLimits,
  ) {}

  /** Reads and checks the directory, then opens the model through the kit's session helper. */
  static async open(
    dir: string,
    ctx: Pick<RunContext, 'device' | 'deviceRequest'>,
    options: OpenCrossEncoderOptions = {},
  ): Promise<CrossEncoder> {
    if (endianness() !== 'LE') throw new Error('int64 tensors are written as little-endian words');
    const model = await readModelDirectory(dir, { maxModelBytes: options.maxModelBytes });
    const tokenizer = new PairTokenizer(model.tokenizer, model.tokenizerConfig, model.maxLength);
    let opened: Awaited<ReturnType<typeof openOnnxSession>>;
    try {
      opened = await openOnnxSession(model.modelPath, ctx, {
        label: 'cross-encoder',
        intraOpNumThreads: options.intraOpNumThreads,
        probe: options.probe,
        batchTimeoutMs: options.batchTimeoutMs,
        memoryMb: options.memoryMb,
      });
    } catch (e) {
      // what ONNX Runtime says of the model (or its worker dying on it) is the submission's; the rest
      // (the device, the runner's settings) is the operator's
      if (!isModelsFault(e)) throw e;
      throw new SubmissionError(`model.onnx cannot be loaded by ONNX Runtime: ${workerFailure(e)}`);
    }
    try {
      const signature = checkSignature(opened.session);
      return new CrossEncoder(
        tokenizer,
        opened.session,
        signature,
        opened.provenance,
        options.batch ?? DEFAULT_BATCH_LIMITS,
      );
    } catch (e) {
      await opened.session.release();
      throw e;
    }
  }

  /**
   * Raw logits (the positive class's for a two-logit head), in the order of `pairs`. The session runs
   * in a worker process, so an abort takes effect at once: the batch running is stopped by ending
   * the worker (the encoder cannot score again), and the call throws the reason.
   */
  async score(
    pairs: readonly QueryPassage[],
    control: ScoreControl = {},
  ): Promise<{ scores: Float32Array; stats: ScoreStats }> {
    const { signal, onProgress } = control;
    const start = performance.now();
    let runMs = 0;
    let fed = 0;
    let real = 0;
    const encodings: PairEncoding[] = [];
    let truncatedPassages = 0;
    let truncatedQueries = 0;
    for (const [i, { query, passage }] of pairs.entries()) {
      if (i % 1024 === 0) signal?.throwIfAborted();
      const encoding = this.tokenizer.encodePair(query, passage);
      if (encoding.passageTruncated) truncatedPassages++;
      if (encoding.queryTruncated) truncatedQueries++;
      encodings.push(encoding);
    }
    const scores = new Float32Array(pairs.length);
    const batches = planBatches(
      encodings.map((e) => e.ids.length),
      this.limits,
    );
    const { typeIds, logits, outputName } = this.signature;
    let scored = 0;
    for (const batch of batches) {
      signal?.throwIfAborted();
      const width = Math.max(...batch.map((i) => encodings[i]?.ids.length ?? 0));
      const size = batch.length * width;
      // int64 tensors filled through 32-bit views: ids are below 2^31, so the high words stay 0
      const ids = new BigInt64Array(size);
      const mask = new BigInt64Array(size);
      const types = new BigInt64Array(size);
      const ids32 = new Int32Array(ids.buffer);
      const mask32 = new Int32Array(mask.buffer);
      const types32 = new Int32Array(types.buffer);
      batch.forEach((pair, row) => {
        const e = encodings[pair] as PairEncoding;
        const base = row * width;
        for (let t = 0; t < e.ids.length; t++) {
          ids32[2 * (base + t)] = e.ids[t] ?? 0;
          mask32[2 * (base + t)] = 1;
          types32[2 * (base + t)] = e.typeIds[t] ?? 0;
        }
        real += e.ids.length;
      });
      fed += size;
      const dims = [batch.length, width];
      const feeds: Record<string, PlainTensor> = {
        input_ids: { type: 'int64', data: ids, dims },
        attention_mask: { type: 'int64', data: mask, dims },
      };
      if (typeIds) feeds.token_type_ids = { type: 'int64', data: types, dims };
      const t0 = performance.now();
      const out = await this.session.run(feeds, [outputName], { signal }).catch((e: unknown) => {
        throw runError(e, batch.length, width, signal);
      });
      runMs += performance.now() - t0;
      const data = out[outputName]?.data;
      if (!(data instanceof Float32Array) || data.length !== batch.length * logits) {
        throw new SubmissionError(
          `model.onnx: output "${outputName}" gave ${data instanceof Float32Array ? data.length : 'no float32'} values for a batch of ${batch.length} pairs; expected ${batch.length * logits}`,
        );
      }
      batch.forEach((pair, row) => {
        // a two-logit head scores with its positive class, index 1
        const value = data[row * logits + logits - 1] ?? Number.NaN;
        if (!Number.isFinite(value)) {
          throw new SubmissionError(`model.onnx: output "${outputName}" is ${value} for pair ${pair}`);
        }
        scores[pair] = value;
      });
      scored += batch.length;
      onProgress?.(scored, pairs.length);
    }
    const wallMs = performance.now() - start;
    return {
      scores,
      stats: {
        pairs: pairs.length,
        batches: batches.length,
        wallMs,
        runMs,
        outsideShare: wallMs > 0 ? Math.min(1, Math.max(0, 1 - runMs / wallMs)) : 0,
        pairsPerSecond: wallMs > 0 ? pairs.length / (wallMs / 1000) : 0,
        paddingShare: fed > 0 ? 1 - real / fed : 0,
        truncatedPassages,
        truncatedQueries,
      },
    };
  }

  /** the process running the session (see the kit's onnx-worker-process.ts) */
  get workerPid(): number | undefined {
    return this.session.pid;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** By name too: an evaluator loaded from source may hold its own copy of the kit's class. */
function isDeviceUnavailable(e: unknown): boolean {
  return e instanceof DeviceUnavailableError || (e instanceof Error && e.name === 'DeviceUnavailableError');
}

interface KitErrors {
  OnnxWorkerError: OnnxWorkerError;
  OnnxTimeoutError: OnnxTimeoutError;
}

/**
 * Whether a failure of the model's session is the model's: ONNX Runtime refused or failed it, it ran
 * past its limit, or its worker crashed or ran out of memory on it. A worker killed from outside or
 * that could not start is not (the job is then an infra failure, tried again elsewhere).
 */
function isModelsFault(e: unknown): boolean {
  if (isNamed(e, 'OnnxTimeoutError')) return true;
  return isNamed(e, 'OnnxWorkerError') && (e.kind !== 'gone' || e.outOfMemory);
}

/** The kit's worker errors, by name (as isDeviceUnavailable). */
function isNamed<K extends keyof KitErrors>(e: unknown, name: K): e is KitErrors[K] {
  return e instanceof Error && e.name === name;
}

/**
 * A failure inside session.run is the submitted model's: its signature was checked at open, so what
 * is left is the graph itself, most often a tokenizer whose ids run past the embedding table (a Gather
 * index out of range) or a shape the graph cannot take. Aborts and the operator's device errors pass
 * through unchanged, so they are not reported as the submitter's fault.
 */
function runError(e: unknown, pairs: number, tokens: number, signal?: AbortSignal): unknown {
  if (signal?.aborted || isDeviceUnavailable(e) || (e instanceof Error && e.name === 'AbortError')) return e;
  const batch = `a batch of ${pairs} pairs × ${tokens} tokens`;
  if (isNamed(e, 'OnnxTimeoutError')) {
    return new SubmissionError(
      `the model did not finish ${batch}: ${e.message} (TRUEBOARD_ONNX_BATCH_TIMEOUT_S on the runner sets the limit)`,
    );
  }
  // a worker that went for reasons of its own (killed from outside, failed to start) is the runner's
  if (!isModelsFault(e)) return e;
  // out of memory, or ONNX Runtime crashed on the graph: no tokenizer hint
  if (isNamed(e, 'OnnxWorkerError') && (e.outOfMemory || e.kind === 'crash')) {
    return new SubmissionError(`the model failed on ${batch}: ${workerFailure(e)}`);
  }
  return new SubmissionError(
    `the model failed on ${batch}: ${firstLine(e)} (does tokenizer.json match the model's vocabulary?)`,
  );
}

/** What went wrong in the worker, in a line; running out of memory says which limit it hit. */
function workerFailure(e: unknown): string {
  if (isNamed(e, 'OnnxWorkerError') && e.outOfMemory && e.memoryMb !== undefined) {
    return `it needs more memory than the ONNX worker's limit of ${e.memoryMb} MiB (${firstLine(e)}; TRUEBOARD_ONNX_MEMORY_MB on the runner sets the limit)`;
  }
  if (isNamed(e, 'OnnxWorkerError') && e.kind === 'crash') return `ONNX Runtime crashed on it: ${firstLine(e)}`;
  return firstLine(e);
}

/** ONNX Runtime's errors may run to several lines; the first says what failed. */
function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]?.trim() || 'unknown error';
}
