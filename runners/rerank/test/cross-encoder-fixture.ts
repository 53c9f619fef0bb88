import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { type TestModelVariant, writeTestModel } from '../scripts/build-test-model';

/** A fresh temp directory per test file, removed after it; test model directories are written into it. */
export async function modelDirs() {
  const root = await mkdtemp(path.join(tmpdir(), 'rerank-ce-'));
  afterAll(() => rm(root, { recursive: true, force: true }));
  let n = 0;
  return async (variant: TestModelVariant = {}) => {
    const dir = path.join(root, `model-${n++}`);
    await writeTestModel(dir, { variant });
    return dir;
  };
}

/** Query–passage pairs of many lengths, from SciFact-like sentences, in no particular length order. */
export function variedPairs(count: number) {
  const words =
    'vitamin d deficiency causes rickets in children and bone loss in adults while calcium intake modulates the risk of fractures across cohorts'.split(
      ' ',
    );
  return Array.from({ length: count }, (_, i) => ({
    query: words.slice(i % 5, (i % 5) + 3 + (i % 4)).join(' '),
    passage: Array.from({ length: 1 + ((i * 37) % 60) }, (_, j) => words[(i + j * 7) % words.length]).join(' '),
  }));
}
