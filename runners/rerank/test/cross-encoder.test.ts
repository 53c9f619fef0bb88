import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CrossEncoder, planBatches } from '../src/cross-encoder';
import { modelDirs, variedPairs } from './cross-encoder-fixture';

/* Real ONNX Runtime sessions on the test cross-encoder written by scripts/build-test-model.ts. */

const cpu = { device: 'cpu' as const, deviceRequest: 'auto' as const };
const newModel = await modelDirs();
const modelDir = await newModel();

describe('the test cross-encoder', () => {
  it('loads through the kit helper, with its signature and provenance, and scores pairs', async () => {
    const ce = await CrossEncoder.open(modelDir, cpu);
    try {
      expect(ce.signature).toEqual({ typeIds: true, logits: 1, outputName: 'logits' });
      expect(ce.provenance).toMatchObject({
        provider: 'cpu',
        label: 'cross-encoder',
        intraOpNumThreads: availableParallelism(),
      });
      expect(ce.tokenizer.maxLength).toBe(512);
      const { scores } = await ce.score([
        { query: 'vitamin d deficiency causes rickets', passage: 'Rickets in children follows vitamin D deficiency.' },
        { query: 'vitamin d deficiency causes rickets', passage: 'The stock market fell sharply on Tuesday.' },
      ]);
      expect(scores).toHaveLength(2);
      // shared rare words ("rickets", "deficiency", "vitamin") make the first pair score higher
      expect(scores[0]).toBeGreaterThan(scores[1] ?? Number.POSITIVE_INFINITY);
    } finally {
      await ce.release();
    }
  });

  it('gives the same scores batched by length as one pair at a time, in the input order', async () => {
    const pairs = variedPairs(60);
    const batched = await CrossEncoder.open(modelDir, cpu, { batch: { tokenBudget: 600, maxBatch: 16 } });
    const single = await CrossEncoder.open(modelDir, cpu, { batch: { tokenBudget: 1, maxBatch: 1 } });
    try {
      const a = await batched.score(pairs);
      const b = await single.score(pairs);
      expect(b.stats.batches).toBe(60);
      expect(a.stats.batches).toBeGreaterThan(3);
      expect(a.stats.batches).toBeLessThan(30);
      for (let i = 0; i < pairs.length; i++) expect(a.scores[i]).toBeCloseTo(b.scores[i] ?? Number.NaN, 5);
      // distinct scores, so a permutation could not pass the comparison above
      expect(new Set(b.scores).size).toBeGreaterThan(50);
      // sorting by length keeps padding low: under half of what as many batches in input order pad
      const lengths = pairs.map((p) => batched.tokenizer.encodePair(p.query, p.passage).ids.length);
      const size = Math.ceil(pairs.length / a.stats.batches);
      let fed = 0;
      for (let i = 0; i < lengths.length; i += size) {
        const chunk = lengths.slice(i, i + size);
        fed += chunk.length * Math.max(...chunk);
      }
      const unsorted = 1 - lengths.reduce((x, y) => x + y, 0) / fed;
      expect(a.stats.paddingShare).toBeLessThan(unsorted / 2);
    } finally {
      await batched.release();
      await single.release();
    }
  });

  it('reports pairs/s and the share of wall time outside session.run', async () => {
    const ce = await CrossEncoder.open(modelDir, cpu);
    try {
      const { stats } = await ce.score(variedPairs(50));
      expect(stats.pairs).toBe(50);
      expect(stats.pairsPerSecond).toBeGreaterThan(0);
      expect(stats.runMs).toBeGreaterThan(0);
      expect(stats.runMs).toBeLessThanOrEqual(stats.wallMs);
      expect(stats.outsideShare).toBeGreaterThanOrEqual(0);
      expect(stats.outsideShare).toBeLessThanOrEqual(1);
      expect(stats.outsideShare).toBeCloseTo(1 - stats.runMs / stats.wallMs, 10);
      expect(stats.pairsPerSecond).toBeCloseTo(50 / (stats.wallMs / 1000), 6);
    } finally {
      await ce.release();
    }
  });

  it('scores a two-logit head with its positive class, index 1', async () => {
    // the variant's column 1 is the one-logit model's head, column 0 its negation
    const two = await CrossEncoder.open(await newModel({ logits: 2 }), cpu);
    const one = await CrossEncoder.open(modelDir, cpu);
    try {
      expect(two.signature.logits).toBe(2);
      const pairs = variedPairs(12);
      const a = await two.score(pairs);
      const b = await one.score(pairs);
      for (let i = 0; i < pairs.length; i++) expect(a.scores[i]).toBeCloseTo(b.scores[i] ?? Number.NaN, 5);
    } finally {
      await two.release();
      await one.release();
    }
  });
});

describe('planBatches', () => {
  it('sorts by length and cuts by padded tokens and batch size', () => {
    // sorted: #1 (1), #3 (1), #0 (5), #4 (5), #2 (9); budget 10: 3×5 > 10 cuts, 2×5 fits, 9 is alone
    expect(planBatches([5, 1, 9, 1, 5], { tokenBudget: 10, maxBatch: 8 })).toEqual([[1, 3], [0, 4], [2]]);
    expect(planBatches([1, 1, 1], { tokenBudget: 100, maxBatch: 2 })).toEqual([[0, 1], [2]]);
    // a pair longer than the budget still gets a batch of its own
    expect(planBatches([50], { tokenBudget: 10, maxBatch: 8 })).toEqual([[0]]);
  });
});

describe('scripts/build-test-model.ts', () => {
  it('writes the same bytes when run again, with the real vocabulary', async () => {
    const again = path.join(path.dirname(modelDir), 'rebuilt');
    const script = path.resolve(import.meta.dirname, '../scripts/build-test-model.ts');
    const { stdout } = await promisify(execFile)('npx', ['tsx', script, again], {
      cwd: path.resolve(import.meta.dirname, '..'),
    });
    expect(stdout).toContain('vocabulary 30522');
    for (const file of ['model.onnx', 'tokenizer.json', 'config.json', 'tokenizer_config.json']) {
      const hash = async (dir: string) =>
        createHash('sha256')
          .update(await readFile(path.join(dir, file)))
          .digest('hex');
      expect(await hash(again), file).toBe(await hash(modelDir));
    }
    const config = JSON.parse(await readFile(path.join(again, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ vocab_size: 30522, model_type: 'bert', num_labels: 1 });
  });
});
