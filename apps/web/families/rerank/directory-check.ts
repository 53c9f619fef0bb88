import type { DirectoryEntry } from '../types';

/** One ONNX protobuf message cannot exceed 2 GiB, and the runner takes no external data (cross-encoder/model-dir.ts). */
const MAX_MODEL_BYTES = 2 ** 31 - 1;
const REQUIRED = ['model.onnx', 'tokenizer.json'] as const;

/**
 * A quick look at a cross-encoder directory before it is packed (the runner reads it fully): the
 * Hugging Face layout `optimum-cli export onnx` writes, model.onnx and tokenizer.json at the top
 * level, the model in one file. Paths are relative to the chosen directory. A message, or null.
 */
export function checkModelDirectory(files: readonly DirectoryEntry[]): string | null {
  const top = new Map(files.filter((f) => !f.path.includes('/')).map((f) => [f.path, f]));
  const missing = REQUIRED.filter((name) => !top.has(name));
  if (missing.length > 0) {
    const nested = files.find((f) => f.path.endsWith('/model.onnx'));
    return (
      `model directory: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing at its top level` +
      (nested ? ` (there is ${nested.path}: choose the folder that holds model.onnx and tokenizer.json)` : '') +
      '; a cross-encoder exported with `optimum-cli export onnx` has both'
    );
  }
  const model = top.get('model.onnx');
  if (model && model.size === 0) return 'model directory: model.onnx is empty';
  if (model && model.size > MAX_MODEL_BYTES) {
    return 'model directory: model.onnx is over 2 GiB, which one ONNX file cannot hold; export a smaller model';
  }
  const external = files.find((f) => /\.onnx[._]data$/.test(f.path));
  if (external) {
    return `model directory: ${external.path} holds external ONNX weights, which the runner does not load; export the model as a single model.onnx`;
  }
  return null;
}
