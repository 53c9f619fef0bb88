import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SubmissionError } from '@trueboard/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRerankEvaluator } from '../src/evaluator';
import { modelDirs } from './cross-encoder-fixture';
import { FIXTURE } from './evaluator-helpers';
import { scoreModel } from './model-helpers';

/*
 * Model directories the evaluator must refuse as the submitter's error (SubmissionError, so
 * user_error on the platform), each with the reason; and a benchmark a model cannot run on.
 */

const CANDIDATES = { candidates: 'run.trec' };
let newModel: Awaited<ReturnType<typeof modelDirs>>;
beforeAll(async () => {
  newModel = await modelDirs();
});

async function refusal(run: Promise<unknown>): Promise<Error> {
  const err = await run.then(
    () => new Error('the evaluation succeeded'),
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(SubmissionError);
  return err;
}

describe('model directories refused with the reason', () => {
  it('a directory without tokenizer.json', async () => {
    const dir = await newModel();
    rmSync(path.join(dir, 'tokenizer.json'));
    const err = await refusal(scoreModel(FIXTURE, dir, CANDIDATES));
    expect(err.message).toBe('model directory: tokenizer.json is missing');
  });

  it('a run file or anything else without model.onnx', async () => {
    const dir = await newModel();
    rmSync(path.join(dir, 'model.onnx'));
    const err = await refusal(scoreModel(FIXTURE, dir, CANDIDATES));
    expect(err.message).toMatch(/^model directory: model\.onnx is missing \(export the cross-encoder/);
  });

  it('a model whose inputs are not named as Hugging Face exports name them', async () => {
    const dir = await newModel({ rename: { input_ids: 'ids' } });
    const err = await refusal(scoreModel(FIXTURE, dir, CANDIDATES));
    expect(err.message).toMatch(/^model\.onnx: missing input "input_ids" \(it has "ids", "attention_mask"/);
  });

  it('a model that never finishes a batch, stopped at the per-batch limit', async () => {
    const evaluator = createRerankEvaluator({ batchTimeoutMs: 1000 });
    const err = await refusal(scoreModel(FIXTURE, await newModel({ hostile: 'endless' }), CANDIDATES, { evaluator }));
    expect(err.message).toMatch(
      /^the model did not finish a batch of \d+ pairs × \d+ tokens: it ran longer than 1 s, the limit per batch; the ONNX worker running it was killed/,
    );
  });

  it('a model that needs more memory than its worker may have', async () => {
    const evaluator = createRerankEvaluator({ memoryMb: 512 });
    const err = await refusal(scoreModel(FIXTURE, await newModel({ hostile: 'memoryHog' }), CANDIDATES, { evaluator }));
    expect(err.message).toMatch(/: it needs more memory than the ONNX worker's limit of 512 MiB \(/);
  });

  it('a model whose weights point outside its directory (external data), which ONNX Runtime refuses to read', async () => {
    const dir = await newModel({ externalBias: '../outside.bin' });
    // the file exists: the refusal is for escaping the directory, not for a missing file
    writeFileSync(path.join(dir, '..', 'outside.bin'), Buffer.alloc(4));
    const err = await refusal(scoreModel(FIXTURE, dir, CANDIDATES));
    expect(err.message).toMatch(
      /^model\.onnx cannot be loaded by ONNX Runtime: .*External data path escapes model directory/,
    );
  });

  it('a model.onnx over the size limit', async () => {
    const dir = await newModel();
    const bytes = statSync(path.join(dir, 'model.onnx')).size;
    const evaluator = createRerankEvaluator({ maxModelBytes: bytes - 1 });
    const err = await refusal(scoreModel(FIXTURE, dir, CANDIDATES, { evaluator }));
    expect(err.message).toBe(`model directory: model.onnx is ${bytes} bytes, over the limit of ${bytes - 1} bytes`);
    // at the limit it runs
    const at = createRerankEvaluator({ maxModelBytes: bytes });
    await expect(scoreModel(FIXTURE, dir, CANDIDATES, { evaluator: at })).resolves.toHaveProperty('family', 'rerank');
  });
});

describe('where a model can run', () => {
  it('needs the benchmark to name its candidates', async () => {
    const dir = await newModel();
    const err = await refusal(scoreModel(FIXTURE, dir, {}));
    expect(err.message).toMatch(/model submissions need the benchmark's candidates option/);
    expect(err.message).toMatch(/submit a TREC run file instead/);
  });

  it('takes an archive made of the folder itself: the one folder inside holding model.onnx', async () => {
    const dir = await newModel();
    const wrapped = `${dir}-wrapped`;
    mkdirSync(wrapped);
    renameSync(dir, path.join(wrapped, 'my-cross-encoder'));
    const report = await scoreModel(FIXTURE, wrapped, CANDIDATES);
    expect(report.provenance.sessions?.[0]?.label).toMatch(/^cross-encoder: model\.onnx sha256/);
    // and two folders are not guessed between
    mkdirSync(path.join(wrapped, 'other'));
    const err = await refusal(scoreModel(FIXTURE, wrapped, CANDIDATES));
    expect(err.message).toMatch(/^model directory: model\.onnx is missing/);
  });
});
