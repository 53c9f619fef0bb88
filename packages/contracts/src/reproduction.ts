import { z } from 'zod';
import { Family, Sha256 } from './family';
import { DatasetBundleRef } from './runner-protocol';
import { VersionNumber } from './text';

/**
 * What it takes to evaluate a submission again away from the platform (`trueboard reproduce`):
 * the dataset version exactly as a runner receives it (files by hash, the benchmark's evaluator
 * settings) and the artifact by hash. The stored result to compare with is `submissions.result`.
 */
export const ReproductionRecipe = z.object({
  submission: z.object({
    id: z.string().uuid(),
    benchmark: z.string(),
    family: Family,
    method: z.string(),
    team: z.string(),
    isPublic: z.boolean(),
  }),
  /** the dataset version reproduced: the one asked for, else the newest with a result */
  version: VersionNumber,
  /** every version the submission has a current result on, ascending */
  versions: z.array(VersionNumber),
  dataset: DatasetBundleRef,
  artifact: z.object({ sha256: Sha256, size: z.number().int().nonnegative() }),
});
export type ReproductionRecipe = z.infer<typeof ReproductionRecipe>;
