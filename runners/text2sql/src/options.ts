import { z } from 'zod';
import { DEFAULT_MAX_RESULT_BYTES, DEFAULT_WORKER_MEMORY_MB } from './exec/index';

/** Evaluator settings: the manifest's "evaluator" block, overridden by `trueboard eval --option`/flags. */
export const Text2SqlOptions = z.object({
  /** dataset layout */
  format: z.enum(['spider', 'bird']).default('spider'),
  /** predictions file format; detected from the content when unset */
  predictionFormat: z.enum(['trueboard', 'bird', 'spider']).optional(),
  /** the semantics whose verdict is each example's headline verdict */
  primarySemantics: z.enum(['spider', 'bird']).optional(),
  /** keep DISTINCT under spider semantics (the test-suite evaluator removes it by default) */
  keepDistinct: z.boolean().default(false),
  /** seconds a predicted query may run */
  timeout: z.number().positive().max(600).default(30),
  /** seconds a gold query may run (a separate budget) */
  goldTimeout: z.number().positive().max(600).default(60),
  /** result rows kept per query; more is an error for that query */
  maxRows: z.number().int().positive().max(10_000_000).default(100_000),
  /**
   * result bytes kept per query (exec/limits.ts counts them); more is an error for that query: a
   * prediction scores 0, a gold query makes its example unscorable, with "result larger than …"
   */
  maxResultBytes: z
    .number()
    .int()
    .positive()
    .max(1024 ** 3)
    .default(DEFAULT_MAX_RESULT_BYTES),
  /** memory limit of each SQL worker process, MiB; a query needing more fails with out_of_memory */
  workerMemoryMb: z.number().int().min(128).max(65_536).default(DEFAULT_WORKER_MEMORY_MB),
  /** timed repetitions per correct pair for R-VES; 0 turns R-VES off */
  vesRepeats: z.number().int().min(0).max(1000).default(0),
  /** worker processes; default: one per core */
  workers: z.number().int().positive().max(64).optional(),
  bootstrapResamples: z.number().int().min(100).max(100_000).default(1000),
});
export type Text2SqlOptions = z.infer<typeof Text2SqlOptions>;
