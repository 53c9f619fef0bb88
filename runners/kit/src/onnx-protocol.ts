/**
 * Messages between the parent and its ONNX worker process (see onnx-worker-process.ts). The channel
 * uses 'advanced' serialization (structured clone), so typed arrays, BigInt64Array included, cross
 * it as they are.
 */
import type { InferenceSession } from 'onnxruntime-node';

/** The tensor types a cross-encoder feeds and reads; ONNX Runtime's own names. */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/** A tensor as plain data: what ONNX Runtime's Tensor holds, without the class. */
export interface PlainTensor {
  type: string;
  data: TensorData;
  dims: readonly number[];
}

export type ValueMetadata = InferenceSession.ValueMetadata;

export type OnnxRequest =
  | { type: 'open'; model: string | Uint8Array; options: InferenceSession.SessionOptions }
  | { type: 'run'; id: number; feeds: Record<string, PlainTensor>; outputs: string[] };

export type OnnxReply =
  | {
      type: 'opened';
      inputMetadata: ValueMetadata[];
      outputMetadata: ValueMetadata[];
      /** onnxruntime-node's version, as the worker loaded it */
      version: string;
    }
  | { type: 'ran'; id: number; outputs: Record<string, PlainTensor> }
  /** `id` is absent when opening failed */
  | { type: 'failed'; id?: number; message: string };

export function isOnnxReply(msg: unknown): msg is OnnxReply {
  if (typeof msg !== 'object' || msg === null) return false;
  const type = (msg as { type?: unknown }).type;
  return type === 'opened' || type === 'ran' || type === 'failed';
}
