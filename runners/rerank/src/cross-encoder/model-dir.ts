import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { SubmissionError } from '@trueboard/contracts';

/**
 * A cross-encoder directory in the Hugging Face layout, as `optimum-cli export onnx` writes it:
 * model.onnx, tokenizer.json, and the optional tokenizer_config.json and config.json that say how
 * long an input may be.
 */
export interface ModelDirectory {
  dir: string;
  modelPath: string;
  modelBytes: number;
  /** tokenizer.json, parsed */
  tokenizer: Record<string, unknown>;
  /** tokenizer_config.json, parsed; {} when absent */
  tokenizerConfig: Record<string, unknown>;
  /** the longest input the model takes, special tokens included */
  maxLength: number;
}

/**
 * ONNX files are one protobuf message, which cannot exceed 2 GiB. Weights stored as external data
 * load only from files inside the model's directory: ONNX Runtime 1.30 refuses absolute locations
 * and ones that escape it (checked), and the kit's unpacker refuses links.
 */
export const DEFAULT_MAX_MODEL_BYTES = 2 ** 31 - 1;
/** What BERT-family cross-encoders take when nothing in the directory says otherwise. */
export const DEFAULT_MAX_LENGTH = 512;
/**
 * Transformers writes model_max_length = 1e30 ("VERY_LARGE_INTEGER") when a tokenizer has no limit of
 * its own; a value this large means "not stated", not a real limit.
 */
const UNSTATED_LENGTH = 1e6;

export async function readModelDirectory(
  dir: string,
  { maxModelBytes = DEFAULT_MAX_MODEL_BYTES }: { maxModelBytes?: number } = {},
): Promise<ModelDirectory> {
  const modelPath = path.join(dir, 'model.onnx');
  const info = await stat(modelPath).catch(() => null);
  if (!info?.isFile()) {
    throw new SubmissionError(
      'model directory: model.onnx is missing (export the cross-encoder with `optimum-cli export onnx` and submit its directory)',
    );
  }
  if (info.size > maxModelBytes) {
    throw new SubmissionError(
      `model directory: model.onnx is ${info.size} bytes, over the limit of ${maxModelBytes} bytes`,
    );
  }
  const tokenizer = await readJson(dir, 'tokenizer.json', true);
  const tokenizerConfig = (await readJson(dir, 'tokenizer_config.json', false)) ?? {};
  const config = (await readJson(dir, 'config.json', false)) ?? {};
  return {
    dir,
    modelPath,
    modelBytes: info.size,
    tokenizer: tokenizer ?? {},
    tokenizerConfig,
    maxLength: maxLengthOf(tokenizerConfig, config),
  };
}

/**
 * tokenizer_config.json's model_max_length, else config.json's max_position_embeddings, else 512.
 * When both are stated the smaller wins: the tokenizer may be shorter than the position table, and
 * the model cannot take more positions than it has embeddings for.
 */
export function maxLengthOf(tokenizerConfig: Record<string, unknown>, config: Record<string, unknown>): number {
  const stated = [
    lengthField(tokenizerConfig, 'tokenizer_config.json', 'model_max_length'),
    lengthField(config, 'config.json', 'max_position_embeddings'),
  ].filter((n): n is number => n !== undefined);
  return stated.length ? Math.min(...stated) : DEFAULT_MAX_LENGTH;
}

function lengthField(json: Record<string, unknown>, file: string, field: string): number | undefined {
  const value = json[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new SubmissionError(
      `model directory: ${file} "${field}" must be a positive number, got ${JSON.stringify(value)}`,
    );
  }
  if (value >= UNSTATED_LENGTH) return undefined;
  if (!Number.isInteger(value) || value < 4) {
    // [CLS] q [SEP] p [SEP] needs at least one token of each
    throw new SubmissionError(`model directory: ${file} "${field}" must be an integer of at least 4, got ${value}`);
  }
  return value;
}

async function readJson(dir: string, file: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, file), 'utf8');
  } catch {
    if (required) throw new SubmissionError(`model directory: ${file} is missing`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SubmissionError(`model directory: ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SubmissionError(`model directory: ${file} must hold a JSON object`);
  }
  return json as Record<string, unknown>;
}
