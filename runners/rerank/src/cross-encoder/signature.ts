import { SubmissionError } from '@trueboard/contracts';
import type { RemoteSession } from '@trueboard/kit';

/** What the scorer feeds and reads, checked before anything runs. */
export interface CrossEncoderSignature {
  /** whether the model takes token_type_ids (BERT does; DistilBERT-style exports do not) */
  typeIds: boolean;
  /** logits per pair: 1 (a relevance logit) or 2 (the positive class is index 1) */
  logits: 1 | 2;
  outputName: string;
}

const REQUIRED = ['input_ids', 'attention_mask'] as const;
const OPTIONAL = ['token_type_ids'] as const;
const EXPECTED_INPUTS = 'input_ids, attention_mask and optionally token_type_ids, each int64 [batch, sequence]';

/**
 * Checks the Hugging Face cross-encoder signature, as `optimum-cli export onnx --task
 * text-classification` writes it: int64 inputs input_ids, attention_mask and maybe token_type_ids of
 * shape [batch, sequence]; a float32 output `logits` of shape [batch, 1] or [batch, 2]. Batch and
 * sequence must be dynamic, because pairs are batched by length. Anything else is the submission's
 * fault, and the message names the input or output and what was expected.
 */
export function checkSignature(
  session: Pick<RemoteSession, 'inputMetadata' | 'outputMetadata'>,
): CrossEncoderSignature {
  const inputs = new Map(session.inputMetadata.map((m) => [m.name, m]));
  for (const name of REQUIRED) {
    if (!inputs.has(name)) {
      throw new SubmissionError(
        `model.onnx: missing input "${name}" (it has ${list(inputs.keys())}; expected ${EXPECTED_INPUTS})`,
      );
    }
  }
  for (const [name, meta] of inputs) {
    if (!(REQUIRED as readonly string[]).includes(name) && !(OPTIONAL as readonly string[]).includes(name)) {
      throw new SubmissionError(`model.onnx: unexpected input "${name}" (expected ${EXPECTED_INPUTS})`);
    }
    if (!meta.isTensor || meta.type !== 'int64') {
      const got = meta.isTensor ? meta.type : 'a non-tensor value';
      throw new SubmissionError(`model.onnx: input "${name}" must be int64, got ${got}`);
    }
    checkDynamic(`input "${name}"`, meta.shape, 2);
  }
  const output = session.outputMetadata.find((m) => m.name === 'logits');
  if (!output) {
    throw new SubmissionError(
      `model.onnx: no output "logits" (it has ${list(session.outputMetadata.map((m) => m.name))}; expected float32 logits [batch, 1] or [batch, 2])`,
    );
  }
  if (!output.isTensor || output.type !== 'float32') {
    const got = output.isTensor ? output.type : 'a non-tensor value';
    throw new SubmissionError(`model.onnx: output "${output.name}" must be float32, got ${got}`);
  }
  checkDynamic(`output "${output.name}"`, output.shape.slice(0, 1), 1);
  const width = output.shape[1];
  if (output.shape.length !== 2 || (width !== 1 && width !== 2)) {
    throw new SubmissionError(
      `model.onnx: output "${output.name}" must have shape [batch, 1] or [batch, 2], got ${shape(output.shape)}`,
    );
  }
  return { typeIds: inputs.has('token_type_ids'), logits: width, outputName: output.name };
}

/** Symbolic dims are strings; ONNX Runtime reports an unnamed dynamic dim as -1 or as a string too. */
function checkDynamic(what: string, dims: ReadonlyArray<number | string>, rank: number): void {
  const fixed = dims.findIndex((d) => typeof d === 'number' && d >= 0);
  if (dims.length !== rank && rank === 2) {
    throw new SubmissionError(`model.onnx: ${what} must have shape [batch, sequence], got ${shape(dims)}`);
  }
  if (fixed >= 0) {
    const axis = rank === 2 ? ['batch', 'sequence'][fixed] : 'batch';
    throw new SubmissionError(
      `model.onnx: ${what} has a fixed ${axis} dimension (${shape(dims)}); export it with dynamic batch and sequence axes, as optimum-cli does`,
    );
  }
}

const list = (names: Iterable<string>) => [...names].map((n) => `"${n}"`).join(', ') || 'none';
const shape = (dims: ReadonlyArray<number | string>) => `[${dims.join(', ')}]`;
