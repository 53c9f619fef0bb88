import { z } from 'zod';
import { Family, Sha256, Slug } from './family';
import { DisplayName, UserText } from './text';

export const MetricDefinition = z
  .object({
    name: z
      .string()
      .max(64)
      .regex(/^[a-z][a-z0-9_.@-]*$/, 'metric names are lowercase, e.g. "ex" or "ndcg@10"'),
    label: DisplayName(100),
    higherIsBetter: z.boolean().default(true),
    /** how values are displayed: `percent` values are stored in [0, 100]. */
    unit: z.enum(['percent', 'ratio', 'count', 'ms']).default('percent'),
    description: UserText(2000).optional(),
  })
  .strict();
export type MetricDefinition = z.infer<typeof MetricDefinition>;

/** A relative file path inside a benchmark directory; no absolute paths, no `..`. */
export const RelativePath = z
  .string()
  .min(1)
  .max(1000)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'must be a relative path without ".."');

/** How a runner hands over an artifact or asset: the file as stored, or a directory unpacked from it. */
export const ArtifactKind = z.enum(['file', 'directory']);
export type ArtifactKind = z.infer<typeof ArtifactKind>;

/**
 * A large file a benchmark needs on the runner (a base ONNX model, a tokenizer, a candidate run),
 * fetched by hash and cached by the runner kit. `kind: directory` is a .tar, .tar.gz or .zip that the
 * kit unpacks; `path` says it is that file of the dataset, otherwise it is a blob uploaded on its own.
 */
export const BenchmarkAsset = z
  .object({
    sha256: Sha256,
    bytes: z
      .number()
      .int()
      .nonnegative()
      .max(2 ** 50),
    kind: ArtifactKind.default('file'),
    path: RelativePath.optional(),
  })
  .strict();
export type BenchmarkAsset = z.infer<typeof BenchmarkAsset>;

/**
 * An asset as the manifest declares it: what runners see (BenchmarkAsset), and for an asset that is
 * not a dataset file, optionally the `file` of the benchmark directory that holds its bytes, which
 * `trueboard benchmark import` uploads (streamed, checked against `sha256` and `bytes`). Without
 * either, the blob must already be on the platform (e.g. a base model shared by benchmarks).
 */
export const ManifestAsset = BenchmarkAsset.extend({ file: RelativePath.optional() })
  .strict()
  .refine((a) => !(a.file && a.path), {
    message: 'an asset is either a dataset file ("path") or a file uploaded on its own ("file"), not both',
    path: ['file'],
  });
export type ManifestAsset = z.infer<typeof ManifestAsset>;

/** The assets as runners get them (DatasetBundleRef.assets): without the importer's local `file`. */
export function runnerAssets(assets: Record<string, ManifestAsset>): Record<string, BenchmarkAsset> {
  return Object.fromEntries(Object.entries(assets).map(([name, { file: _, ...a }]) => [name, a]));
}

export const AssetName = z
  .string()
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'asset names are lowercase, e.g. "base-model" or "tokenizer"');

export const BenchmarkManifest = z
  .object({
    id: Slug,
    name: DisplayName(200),
    family: Family,
    description: UserText(10_000).default(''),
    license: UserText(500).optional(),
    source: UserText(2000).optional(),
    /** the team that owns the benchmark (created on import if missing) */
    ownerTeam: Slug.default('maintainers'),
    metrics: z.array(MetricDefinition).min(1, 'declare at least one metric').max(50),
    primaryMetric: z.string().max(64),
    /** the semantics of the primary metric's headline column (e.g. "bird"); default: the family's */
    primarySemantics: z.string().max(64).optional(),
    /** data files (relative to the manifest) that make up dataset version 1; directories are walked */
    files: z.array(RelativePath).min(1, 'list the data files of the benchmark').max(10_000),
    /** large runner-side files by name (see BenchmarkAsset); evaluators find them in DatasetBundle.assets */
    assets: z.record(AssetName, ManifestAsset).optional(),
    /** family-specific evaluator settings, passed to the evaluator untouched */
    evaluator: z.record(z.string(), z.unknown()).default({}),
    /** the corrections workflow: approvals a correction needs before it can be released */
    corrections: z
      .object({ quorum: z.number().int().min(1, 'a quorum is at least 1 approval').max(20).default(1) })
      .strict()
      .default({ quorum: 1 }),
    limits: z
      .object({
        artifactMaxBytes: z
          .number()
          .int()
          .positive()
          .max(64 * 1024 ** 3)
          .optional(),
        dailyQuota: z.number().int().positive().max(100_000).optional(),
      })
      .strict()
      .default({}),
  })
  // a misspelt or unsupported key is an error that names it, never silently dropped
  .strict()
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
  size: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 50),
});
export type DatasetFile = z.infer<typeof DatasetFile>;
