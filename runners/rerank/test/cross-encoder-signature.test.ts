import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SubmissionError } from '@trueboard/contracts';
import { DeviceUnavailableError } from '@trueboard/kit';
import { describe, expect, it } from 'vitest';
import { CrossEncoder } from '../src/cross-encoder';
import { modelDirs } from './cross-encoder-fixture';

/*
 * Bad cross-encoder directories fail before anything runs, as SubmissionError (user_error), naming
 * the input, output or file and what was expected. Each model is a real ONNX file from the build
 * script's variants, loaded by a real ONNX Runtime session.
 */

const cpu = { device: 'cpu' as const };
const newModel = await modelDirs();

async function refused(dir: string, message: RegExp, options = {}) {
  const error = await CrossEncoder.open(dir, cpu, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SubmissionError);
  expect((error as Error).message).toMatch(message);
}

describe('CrossEncoder.open refuses', () => {
  it('a model whose inputs are not named as Hugging Face names them', async () => {
    const dir = await newModel({ rename: { input_ids: 'ids' } });
    await refused(
      dir,
      /^model\.onnx: missing input "input_ids" \(it has "ids", "attention_mask", "token_type_ids"; expected input_ids, attention_mask and optionally token_type_ids/,
    );
  });

  it('a model with an input it would not be fed', async () => {
    const dir = await newModel({ rename: { token_type_ids: 'segment_ids' } });
    await refused(dir, /^model\.onnx: unexpected input "segment_ids"/);
  });

  it('int32 inputs', async () => {
    await refused(await newModel({ inputType: 'int32' }), /^model\.onnx: input "input_ids" must be int64, got int32$/);
  });

  it('an output of the wrong shape', async () => {
    await refused(
      await newModel({ logits: 3 }),
      /^model\.onnx: output "logits" must have shape \[batch, 1\] or \[batch, 2\], got \[batch_size, 3\]$/,
    );
  });

  it('a fixed batch dimension', async () => {
    await refused(
      await newModel({ fixedBatch: 1 }),
      /^model\.onnx: input "input_ids" has a fixed batch dimension \(\[1, sequence_length\]\)/,
    );
  });

  it('a model over the size limit', async () => {
    const dir = await newModel();
    const { size } = await stat(path.join(dir, 'model.onnx'));
    await refused(
      dir,
      new RegExp(`^model directory: model\\.onnx is ${size} bytes, over the limit of 1000000 bytes$`),
      {
        maxModelBytes: 1_000_000,
      },
    );
  });

  it('a directory without model.onnx or tokenizer.json', async () => {
    const dir = await newModel();
    await rm(path.join(dir, 'tokenizer.json'));
    await refused(dir, /^model directory: tokenizer\.json is missing$/);
    await rm(path.join(dir, 'model.onnx'));
    await refused(dir, /^model directory: model\.onnx is missing/);
  });

  it('a model.onnx ONNX Runtime cannot load', async () => {
    const dir = await newModel();
    await writeFile(path.join(dir, 'model.onnx'), 'not a protobuf');
    await refused(dir, /^model\.onnx cannot be loaded by ONNX Runtime: /);
  });

  it("but not the operator asking for CUDA that is missing, which is not the submission's fault", async () => {
    const dir = await newModel();
    const error = await CrossEncoder.open(
      dir,
      { device: 'cuda', deviceRequest: 'cuda' },
      { probe: async () => ({ available: false, detail: 'no GPU in this test' }) },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeviceUnavailableError);
    expect((error as Error).message).toBe(
      'device cuda requested but CUDA is not available: no GPU in this test (use --device cpu or auto)',
    );
  });

  it('nor a device error from another copy of the kit, known by its name', async () => {
    // an evaluator loaded from source may hold its own copy of the kit's class
    class DeviceUnavailableErrorCopy extends Error {
      override name = 'DeviceUnavailableError';
    }
    const copy = new DeviceUnavailableErrorCopy('device cuda requested but the other kit found no GPU');
    const error = await CrossEncoder.open(
      await newModel(),
      { device: 'cuda', deviceRequest: 'cuda' },
      { probe: () => Promise.reject(copy) },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBe(copy);
  });
});
