import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EvaluationReport } from '@trueboard/contracts';
import { runLocal } from '@trueboard/kit';
import { rerankEvaluator } from '../src/evaluator';

export const FIXTURE = fileURLToPath(new URL('./fixtures/beir-small', import.meta.url));
export const SCIFACT = fileURLToPath(new URL('../../../benchmarks/scifact', import.meta.url));

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Scores `runPath` on the BEIR directory `root` through the kit's harness, as runners and `trueboard eval` do. */
export function scoreRun(
  root: string,
  runPath: string,
  evaluator: Record<string, unknown> = {},
  seed = 7,
): Promise<EvaluationReport> {
  return runLocal({
    evaluator: rerankEvaluator,
    bundle: {
      root,
      ref: { benchmark: 'beir-small', version: 1, contentHash: sha256(root), files: [], evaluator },
    },
    artifact: { sha256: sha256(readFileSync(runPath)), path: runPath, mediaType: 'text/plain' },
    seed,
    device: 'cpu',
  });
}

/** Writes `text` as `name` in `dir` and returns its path. */
export function writeRun(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
