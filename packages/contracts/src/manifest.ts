import { z } from 'zod';
import { Family, Slug } from './family';

export const MetricDefinition = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_.@-]*$/, 'metric names are lowercase, e.g. "ex" or "ndcg@10"'),
  label: z.string().min(1),
  higherIsBetter: z.boolean().default(true),
  /** how values are displayed: `percent` values are stored in [0, 100]. */
  unit: z.enum(['percent', 'ratio', 'count', 'ms']).default('percent'),
  description: z.string().optional(),
});
export type MetricDefinition = z.infer<typeof MetricDefinition>;

/** A relative file path inside a benchmark directory; no absolute paths, no `..`. */
export const RelativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'must be a relative path without ".."');

export const BenchmarkManifest = z
  .object({
    id: Slug,
    name: z.string().min(1).max(200),
    family: Family,
    description: z.string().default(''),
    license: z.string().optional(),
    source: z.string().optional(),
    /** the team that owns the benchmark (created on import if missing) */
    ownerTeam: Slug.default('maintainers'),
    metrics: z.array(MetricDefinition).min(1, 'declare at least one metric'),
    primaryMetric: z.string(),
    /** data files (relative to the manifest) that make up dataset version 1; directories are walked */
    files: z.array(RelativePath).min(1, 'list the data files of the benchmark'),
    /** family-specific evaluator settings, passed to the evaluator untouched */
    evaluator: z.record(z.string(), z.unknown()).default({}),
    limits: z
      .object({
        artifactMaxBytes: z.number().int().positive().optional(),
        dailyQuota: z.number().int().positive().optional(),
      })
      .default({}),
  })
  .superRefine((m, ctx) => {
    if (!m.metrics.some((d) => d.name === m.primaryMetric)) {
      ctx.addIssue({
        code: 'custom',
        path: ['primaryMetric'],
        message: `"${m.primaryMetric}" is not one of the declared metrics (${m.metrics.map((d) => d.name).join(', ')})`,
      });
    }
    const seen = new Set<string>();
    for (const [i, d] of m.metrics.entries()) {
      if (seen.has(d.name))
        ctx.addIssue({ code: 'custom', path: ['metrics', i, 'name'], message: `duplicate metric "${d.name}"` });
      seen.add(d.name);
    }
  });
export type BenchmarkManifest = z.infer<typeof BenchmarkManifest>;
export type BenchmarkManifestInput = z.input<typeof BenchmarkManifest>;

/** One file of a dataset version, addressed by content. */
export const DatasetFile = z.object({
  path: RelativePath,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
export type DatasetFile = z.infer<typeof DatasetFile>;
